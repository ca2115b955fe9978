// A student's class page that is not a loss page: the waiting page before
// the teacher's first change, a comparison or lesson page the class is
// on, or an error page the class's state led to. The student's module
// follows the class from here on a socket of this entry's own; a loss
// page in a class rides on the loss page's socket instead (loss-page.js).
import { whenReady } from "./site.js";
import { LiveSocket } from "./socket.js";
import { CODE_PATH } from "./class-common.js";
import { startStudent } from "./class-student.js";

whenReady(() => {
  const m = CODE_PATH.exec(location.pathname);
  if (!m || m[2]) return;
  const socket = new LiveSocket({ onOpen() {}, onMessage() {}, onStatus() {} });
  startStudent(m[1], socket, false);
  socket.connect();
});
