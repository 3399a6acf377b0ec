// Package version is the release version of cubechat and cubeserver. Its one source is
// FyneApp.toml's Details.Version: `go run ./cmd/dev release` stamps it into Version
// with -ldflags -X; other builds report a development version from Go's build info.
package version

import "runtime/debug"

// Version is set at link time by the release build (-X
// github.com/cubechat/cubechat/version.Version=0.1.0); empty in development builds.
var Version string

// String is the version to show: the stamped release version, or "devel" followed by the
// commit the binary was built from when Go recorded it.
func String() string {
	if Version != "" {
		return Version
	}
	v := "devel"
	info, ok := debug.ReadBuildInfo()
	if !ok {
		return v
	}
	var revision, dirty string
	for _, s := range info.Settings {
		switch {
		case s.Key == "vcs.revision" && len(s.Value) >= 12:
			revision = "+" + s.Value[:12]
		case s.Key == "vcs.modified" && s.Value == "true":
			dirty = "-dirty"
		}
	}
	return v + revision + dirty
}
