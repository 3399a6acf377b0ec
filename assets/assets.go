// Package assets holds the bundled resources of cubechat.
package assets

import _ "embed"

// IconPNG is the application icon (512×512), also named in FyneApp.toml for packaging.
//
//go:embed icon.png
var IconPNG []byte
