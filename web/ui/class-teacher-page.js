// The teacher's browser on a comparison or lesson page: the class is
// driven from here (by the page's path) on a socket of this module's own.
// site.js loads it only in a browser that teaches.
import { LiveSocket } from "./socket.js";
import { startTeacher } from "./class-teacher.js";

const socket = new LiveSocket({ onOpen() {}, onMessage() {}, onStatus() {} });
startTeacher(socket, false);
socket.connect();
