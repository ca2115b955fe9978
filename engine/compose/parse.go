// Package compose is the playground's formula language: a per-element loss
// written by a student in terms of input, target and named scalar
// parameters, parsed into a tree, compiled to a flat list of instructions,
// and evaluated with PyTorch's broadcasting and reverse-mode differentiation
// conventions.
//
//	formula  = compare
//	compare  = additive [ ("<" | "<=" | ">" | ">=" | "==" | "!=") additive ]
//	additive = term { ("+" | "-") term }
//	term     = unary { ("*" | "/") unary }
//	unary    = ("-" | "+") unary | power
//	power    = primary [ "^" unary ]          (right-associative; -a^2 is -(a^2))
//	primary  = number | name | name "(" formula { "," formula } ")" | "(" formula ")"
//
// A comparison is only a where's condition. Names are input, target, the
// functions, or parameters: any other name is a scalar parameter whose value
// the caller supplies. A formula is data: it names no host code and has no
// loops, and its work is nodes × elements, known before it runs.
package compose

import (
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Limits of a formula, so that parsing and compiling are bounded whatever
// the text: MaxLength bytes at most, nested MaxDepth deep at most, and
// MaxParams distinct parameters.
const (
	MaxLength = 1024
	MaxDepth  = 64
	MaxParams = 16
)

// Error is a formula error at a 1-based character position.
type Error struct {
	Pos int // 1-based, in characters (runes) of the formula
	Msg string
}

func (e *Error) Error() string { return fmt.Sprintf("%s at %d", e.Msg, e.Pos) }

// op is a node's or instruction's operation.
type op uint8

const (
	opConst op = iota
	opInput
	opTarget
	opParam
	opNeg
	opAdd
	opSub
	opMul
	opDiv
	opPow
	opLT
	opLE
	opGT
	opGE
	opEQ
	opNE
	opAbs
	opExp
	opLog
	opLog1p
	opSqrt
	opSigmoid
	opSoftplus
	opTanh
	opCosh
	opRelu
	opMax
	opMin
	opClamp
	opWhere
	opSum
	opMean
)

// functions maps a function's name to its operation and arity.
var functions = map[string]struct {
	op    op
	arity int
}{
	"abs": {opAbs, 1}, "exp": {opExp, 1}, "log": {opLog, 1}, "log1p": {opLog1p, 1},
	"sqrt": {opSqrt, 1}, "sigmoid": {opSigmoid, 1}, "softplus": {opSoftplus, 1},
	"tanh": {opTanh, 1}, "cosh": {opCosh, 1}, "relu": {opRelu, 1},
	"max": {opMax, 2}, "min": {opMin, 2}, "clamp": {opClamp, 3}, "where": {opWhere, 3},
	"sum": {opSum, 1}, "mean": {opMean, 1},
}

// Functions lists the language's functions, for pages and tests.
func Functions() []string {
	return []string{"abs", "exp", "log", "log1p", "sqrt", "sigmoid", "softplus", "tanh", "cosh", "relu",
		"max", "min", "clamp", "where", "sum", "mean"}
}

// node is a parsed formula.
type node struct {
	op   op
	pos  int     // 1-based character position, for errors
	val  float64 // opConst
	name string  // opParam
	args []*node
}

func (n *node) isCompare() bool { return n.op >= opLT && n.op <= opNE }

// token kinds.
type tokKind uint8

const (
	tEOF tokKind = iota
	tNum
	tName
	tOp // + - * / ^ ( ) , and comparisons
)

type token struct {
	kind tokKind
	text string
	pos  int // 1-based character position
	num  float64
}

type parser struct {
	src   string
	off   int // byte offset of the next character
	pos   int // 1-based character position of the next character
	tok   token
	depth int
	nodes int
}

// parse parses src into a tree.
func parse(src string) (*node, int, error) {
	if len(src) > MaxLength {
		return nil, 0, &Error{Pos: utf8.RuneCountInString(src[:MaxLength]) + 1, Msg: fmt.Sprintf("formula is longer than %d bytes", MaxLength)}
	}
	if !utf8.ValidString(src) {
		return nil, 0, &Error{Pos: 1, Msg: "formula is not valid UTF-8"}
	}
	p := &parser{src: src, pos: 1}
	if err := p.next(); err != nil {
		return nil, 0, err
	}
	if p.tok.kind == tEOF {
		return nil, 0, &Error{Pos: 1, Msg: "empty formula; write a loss such as (input - target)^2"}
	}
	n, err := p.compare()
	if err != nil {
		return nil, 0, err
	}
	if p.tok.kind != tEOF {
		return nil, 0, p.unexpected()
	}
	return n, p.nodes, nil
}

func (p *parser) unexpected() error {
	switch p.tok.kind {
	case tEOF:
		return &Error{Pos: p.tok.pos, Msg: "unexpected end of formula"}
	case tOp:
		if p.tok.text == ")" {
			return &Error{Pos: p.tok.pos, Msg: `unmatched ")"`}
		}
	}
	return &Error{Pos: p.tok.pos, Msg: fmt.Sprintf("unexpected %q", p.tok.text)}
}

// next reads the next token.
func (p *parser) next() error {
	for p.off < len(p.src) && strings.IndexByte(" \t\r\n", p.src[p.off]) >= 0 {
		p.off++
		p.pos++
	}
	start, pos := p.off, p.pos
	if p.off >= len(p.src) {
		p.tok = token{kind: tEOF, pos: pos}
		return nil
	}
	c := p.src[p.off]
	switch {
	case isDigit(c) || c == '.':
		end := scanNumber(p.src, p.off)
		text := p.src[start:end]
		v, err := strconv.ParseFloat(text, 64)
		if err != nil {
			if ne, ok := err.(*strconv.NumError); !ok || ne.Err != strconv.ErrRange {
				return &Error{Pos: pos, Msg: fmt.Sprintf("malformed number %q", text)}
			}
			// Out of range: ±Inf or 0, as PyTorch reads such a literal.
		}
		p.advance(end)
		p.tok = token{kind: tNum, text: text, pos: pos, num: v}
		if p.off < len(p.src) && (isNameByte(p.src[p.off]) || p.src[p.off] == '.') {
			return &Error{Pos: pos, Msg: fmt.Sprintf("malformed number %q", text+string(p.src[p.off]))}
		}
		return nil
	case isNameStart(c):
		end := p.off
		for end < len(p.src) && isNameByte(p.src[end]) {
			end++
		}
		p.advance(end)
		p.tok = token{kind: tName, text: p.src[start:end], pos: pos}
		return nil
	}
	for _, s := range []string{"<=", ">=", "==", "!=", "**"} {
		if strings.HasPrefix(p.src[p.off:], s) {
			if s == "**" {
				return &Error{Pos: pos, Msg: `"**" is not an operator here; write powers with "^"`}
			}
			p.advance(p.off + 2)
			p.tok = token{kind: tOp, text: s, pos: pos}
			return nil
		}
	}
	if strings.IndexByte("+-*/^(),<>", c) >= 0 {
		p.advance(p.off + 1)
		p.tok = token{kind: tOp, text: string(c), pos: pos}
		return nil
	}
	r, _ := utf8.DecodeRuneInString(p.src[p.off:])
	if c == '=' {
		return &Error{Pos: pos, Msg: `unexpected "="; compare with "=="`}
	}
	return &Error{Pos: pos, Msg: fmt.Sprintf("unexpected character %q", r)}
}

// advance moves to byte offset end, counting characters.
func (p *parser) advance(end int) {
	p.pos += utf8.RuneCountInString(p.src[p.off:end])
	p.off = end
}

func isDigit(c byte) bool     { return c >= '0' && c <= '9' }
func isNameStart(c byte) bool { return c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' }
func isNameByte(c byte) bool  { return isNameStart(c) || isDigit(c) }

// scanNumber returns the end of the number at off: digits, an optional
// fraction and an optional exponent.
func scanNumber(s string, off int) int {
	i := off
	for i < len(s) && isDigit(s[i]) {
		i++
	}
	if i < len(s) && s[i] == '.' {
		i++
		for i < len(s) && isDigit(s[i]) {
			i++
		}
	}
	if i < len(s) && (s[i] == 'e' || s[i] == 'E') {
		j := i + 1
		if j < len(s) && (s[j] == '+' || s[j] == '-') {
			j++
		}
		if j < len(s) && isDigit(s[j]) {
			for j < len(s) && isDigit(s[j]) {
				j++
			}
			i = j
		}
	}
	return i
}

func (p *parser) is(text string) bool { return p.tok.kind == tOp && p.tok.text == text }

func (p *parser) newNode(o op, pos int, args ...*node) *node {
	p.nodes++
	return &node{op: o, pos: pos, args: args}
}

// enter bounds the nesting, so that a formula of a thousand "(" is an
// error and not a deep recursion.
func (p *parser) enter() error {
	p.depth++
	if p.depth > MaxDepth {
		return &Error{Pos: p.tok.pos, Msg: fmt.Sprintf("formula is nested more than %d deep", MaxDepth)}
	}
	return nil
}

var compareOps = map[string]op{"<": opLT, "<=": opLE, ">": opGT, ">=": opGE, "==": opEQ, "!=": opNE}

func (p *parser) compare() (*node, error) {
	if err := p.enter(); err != nil {
		return nil, err
	}
	defer func() { p.depth-- }()
	a, err := p.additive()
	if err != nil {
		return nil, err
	}
	o, ok := compareOps[p.tok.text]
	if !ok || p.tok.kind != tOp {
		return a, nil
	}
	pos := p.tok.pos
	if err := p.next(); err != nil {
		return nil, err
	}
	b, err := p.additive()
	if err != nil {
		return nil, err
	}
	if _, ok := compareOps[p.tok.text]; ok && p.tok.kind == tOp {
		return nil, &Error{Pos: p.tok.pos, Msg: "comparisons do not chain; compare two values"}
	}
	return p.newNode(o, pos, a, b), nil
}

func (p *parser) additive() (*node, error) {
	a, err := p.term()
	if err != nil {
		return nil, err
	}
	for p.is("+") || p.is("-") {
		o, pos := opAdd, p.tok.pos
		if p.tok.text == "-" {
			o = opSub
		}
		if err := p.next(); err != nil {
			return nil, err
		}
		b, err := p.term()
		if err != nil {
			return nil, err
		}
		a = p.newNode(o, pos, a, b)
	}
	return a, nil
}

func (p *parser) term() (*node, error) {
	a, err := p.unary()
	if err != nil {
		return nil, err
	}
	for p.is("*") || p.is("/") {
		o, pos := opMul, p.tok.pos
		if p.tok.text == "/" {
			o = opDiv
		}
		if err := p.next(); err != nil {
			return nil, err
		}
		b, err := p.unary()
		if err != nil {
			return nil, err
		}
		a = p.newNode(o, pos, a, b)
	}
	return a, nil
}

func (p *parser) unary() (*node, error) {
	if p.is("-") || p.is("+") {
		if err := p.enter(); err != nil {
			return nil, err
		}
		defer func() { p.depth-- }()
		neg, pos := p.tok.text == "-", p.tok.pos
		if err := p.next(); err != nil {
			return nil, err
		}
		a, err := p.unary()
		if err != nil {
			return nil, err
		}
		if !neg {
			return a, nil
		}
		return p.newNode(opNeg, pos, a), nil
	}
	return p.power()
}

func (p *parser) power() (*node, error) {
	a, err := p.primary()
	if err != nil {
		return nil, err
	}
	if !p.is("^") {
		return a, nil
	}
	if err := p.enter(); err != nil {
		return nil, err
	}
	defer func() { p.depth-- }()
	pos := p.tok.pos
	if err := p.next(); err != nil {
		return nil, err
	}
	b, err := p.unary()
	if err != nil {
		return nil, err
	}
	return p.newNode(opPow, pos, a, b), nil
}

func (p *parser) primary() (*node, error) {
	t := p.tok
	switch t.kind {
	case tNum:
		if err := p.next(); err != nil {
			return nil, err
		}
		n := p.newNode(opConst, t.pos)
		n.val = t.num
		return n, nil
	case tName:
		if err := p.next(); err != nil {
			return nil, err
		}
		if p.is("(") {
			return p.call(t)
		}
		if _, ok := functions[t.text]; ok {
			return nil, &Error{Pos: t.pos, Msg: fmt.Sprintf("%s is a function; call it as %s(...)", t.text, t.text)}
		}
		switch t.text {
		case "input":
			return p.newNode(opInput, t.pos), nil
		case "target":
			return p.newNode(opTarget, t.pos), nil
		}
		if len(t.text) > 32 {
			return nil, &Error{Pos: t.pos, Msg: "parameter name longer than 32 characters"}
		}
		n := p.newNode(opParam, t.pos)
		n.name = t.text
		return n, nil
	case tOp:
		if t.text == "(" {
			if err := p.next(); err != nil {
				return nil, err
			}
			n, err := p.compare()
			if err != nil {
				return nil, err
			}
			if !p.is(")") {
				if p.tok.kind == tEOF {
					return nil, &Error{Pos: t.pos, Msg: `unclosed "("`}
				}
				return nil, p.unexpected()
			}
			return n, p.next()
		}
	}
	if t.kind == tEOF {
		return nil, &Error{Pos: t.pos, Msg: "unexpected end of formula; a value is missing"}
	}
	return nil, p.unexpected()
}

// call parses a function's arguments; the name is read and p.tok is "(".
func (p *parser) call(name token) (*node, error) {
	f, ok := functions[name.text]
	if !ok {
		return nil, &Error{Pos: name.pos, Msg: fmt.Sprintf("unknown function %q", name.text)}
	}
	if err := p.enter(); err != nil {
		return nil, err
	}
	defer func() { p.depth-- }()
	if err := p.next(); err != nil {
		return nil, err
	}
	var args []*node
	if !p.is(")") {
		for {
			a, err := p.compare()
			if err != nil {
				return nil, err
			}
			args = append(args, a)
			if !p.is(",") {
				break
			}
			if err := p.next(); err != nil {
				return nil, err
			}
		}
	}
	if !p.is(")") {
		if p.tok.kind == tEOF {
			return nil, &Error{Pos: name.pos, Msg: fmt.Sprintf("unclosed %s(", name.text)}
		}
		return nil, p.unexpected()
	}
	if err := p.next(); err != nil {
		return nil, err
	}
	if len(args) != f.arity {
		s := "s"
		if f.arity == 1 {
			s = ""
		}
		return nil, &Error{Pos: name.pos, Msg: fmt.Sprintf("%s takes %d argument%s, got %d", name.text, f.arity, s, len(args))}
	}
	return p.newNode(f.op, name.pos, args...), nil
}
