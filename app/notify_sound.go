package app

import (
	"context"
	"errors"
	"os"
	"os/exec"
)

// messageSound plays the desktop's "new message" sound, the freedesktop sound theme's
// message-new-instant: through libcanberra when installed, else PulseAudio/PipeWire's
// paplay with the theme's file. Fyne's notifications carry no sound of their own, and
// where neither player exists nothing is played (the notification itself is still
// shown). The player runs until ctx ends or the sound is over.
func messageSound(ctx context.Context) error {
	if p, err := exec.LookPath("canberra-gtk-play"); err == nil {
		return exec.CommandContext(ctx, p, "-i", "message-new-instant", "-d", "cubechat").Run()
	}
	const file = "/usr/share/sounds/freedesktop/stereo/message-new-instant.oga"
	if p, err := exec.LookPath("paplay"); err == nil {
		if _, err := os.Stat(file); err == nil {
			return exec.CommandContext(ctx, p, file).Run()
		}
	}
	return errNoSoundPlayer
}

var errNoSoundPlayer = errors.New("no sound player (canberra-gtk-play or paplay with the freedesktop sound theme)")
