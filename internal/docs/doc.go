// Package docs keeps the repository's documents and its code in step: its tests fail
// when a code comment cites a section of docs/protocol.md that has no heading there,
// or cites a design document outside the repository (docs/architecture.md is the
// project's own account of its design).
package docs
