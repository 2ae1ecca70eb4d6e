// Types for the Socket.IO client that the server serves at /socket.io/socket.io.esm.min.js (socket.io 4.8
// serves the socket.io-client build of the same version). tsconfig.client.json lays this folder over
// public/ (rootDirs), so the page's import "../socket.io/socket.io.esm.min.js" is typed from node_modules.
export * from "socket.io-client";
