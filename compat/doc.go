// Package compat holds the ConnectyCube JS SDK compatibility suite: compat_test.go
// starts cubeserver in-process, seeds users and runs the official SDK (npm
// connectycube 6.1.2, pinned in package.json) under Node's test runner against it,
// once for the REST API and once per chat transport (WebSocket, TCP). The JS tests
// live in rest/ and chat/, their shared helpers in lib/. This package has no Go API.
package compat
