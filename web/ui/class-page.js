// The class's own pages: the teacher's dashboard (/c/{code}/teach), and a
// student's page when it is not a loss page (the waiting page before the
// teacher's first change, or an error page the class's state led to).
// Each page has one socket, this one; a loss page in a class rides on the
// loss page's socket instead (loss-page.js).
import { whenReady } from "./site.js";
import { LiveSocket } from "./socket.js";
import { CODE_PATH } from "./class-common.js";
import { startDashboard } from "./class-dashboard.js";
import { startStudent } from "./class-student.js";

whenReady(() => {
  const m = CODE_PATH.exec(location.pathname);
  if (!m) return;
  const socket = new LiveSocket({ onOpen() {}, onMessage() {}, onStatus() {} });
  const dash = document.querySelector("[data-class-teach]");
  if (m[2] && dash) {
    startDashboard(dash, m[1], socket);
  } else if (!m[2]) {
    startStudent(m[1], socket, false);
  }
  socket.connect();
});
