// Package integration holds the cube SDK's tests against the project's real server
// (cubeserver) on real sockets. They live apart from the SDK's unit tests so that the
// SDK builds and tests on its own while the server changes.
package integration
