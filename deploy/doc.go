// Package deploy holds the configurations an administrator installs beside
// the playground binary: a Caddyfile and an nginx site for the reverse
// proxy, a systemd unit for the replicas, and a NATS server configuration
// for classes shared between replicas. It has no code; its test runs the
// shipped files as they are (README.md, "Deploy").
package deploy
