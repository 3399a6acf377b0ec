package main

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"os"
	"regexp"
	"time"

	"github.com/BurntSushi/toml"
)

// appMeta is the part of FyneApp.toml the release uses. FyneApp.toml is the one place
// for the app's name, id, version and release texts.
type appMeta struct {
	Website string
	Details struct {
		Icon, Name, ID, Version string
		Build                   int
	}
	LinuxAndBSD struct {
		Comment    string
		Categories []string
		Keywords   []string
	}
	Release map[string]string
}

var semver = regexp.MustCompile(`^\d+\.\d+\.\d+$`)

// readAppMeta reads and checks FyneApp.toml.
func readAppMeta(path string) (appMeta, error) {
	var m appMeta
	if _, err := toml.DecodeFile(path, &m); err != nil {
		return m, fmt.Errorf("read %s: %w", path, err)
	}
	var problems []error
	if m.Details.Name == "" || m.Details.ID == "" || m.Details.Icon == "" {
		problems = append(problems, errors.New("[Details] needs Name, ID and Icon"))
	}
	if !semver.MatchString(m.Details.Version) {
		problems = append(problems, fmt.Errorf("[Details] Version %q is not x.y.z", m.Details.Version))
	}
	if m.Details.Build < 1 {
		problems = append(problems, errors.New("[Details] Build must be at least 1"))
	}
	for _, k := range []string{"Summary", "Description", "License", "Date"} {
		if m.Release[k] == "" {
			problems = append(problems, fmt.Errorf("[Release] needs %s", k))
		}
	}
	if d := m.Release["Date"]; d != "" {
		if _, err := time.Parse(time.DateOnly, d); err != nil {
			problems = append(problems, fmt.Errorf("[Release] Date %q is not YYYY-MM-DD", d))
		}
	}
	if err := errors.Join(problems...); err != nil {
		return m, fmt.Errorf("%s: %w", path, err)
	}
	return m, nil
}

// metainfo is an AppStream component (https://www.freedesktop.org/software/appstream/docs/).
type metainfo struct {
	XMLName         xml.Name `xml:"component"`
	Type            string   `xml:"type,attr"`
	ID              string   `xml:"id"`
	MetadataLicense string   `xml:"metadata_license"`
	ProjectLicense  string   `xml:"project_license"`
	Name            string   `xml:"name"`
	Summary         string   `xml:"summary"`
	Description     struct {
		P string `xml:"p"`
	} `xml:"description"`
	Launchable struct {
		Type string `xml:"type,attr"`
		ID   string `xml:",chardata"`
	} `xml:"launchable"`
	URL struct {
		Type string `xml:"type,attr"`
		URL  string `xml:",chardata"`
	} `xml:"url"`
	Categories []string `xml:"categories>category"`
	Keywords   []string `xml:"keywords>keyword"`
	Provides   struct {
		Binary string `xml:"binary"`
	} `xml:"provides"`
	ContentRating struct {
		Type string `xml:"type,attr"`
	} `xml:"content_rating"`
	Releases []release `xml:"releases>release"`
}

type release struct {
	Version string `xml:"version,attr"`
	Date    string `xml:"date,attr"`
}

// metainfoXML renders the AppStream metainfo of the app; the file is named
// ID.metainfo.xml and goes to share/metainfo.
func metainfoXML(m appMeta) ([]byte, error) {
	c := metainfo{Type: "desktop-application", ID: m.Details.ID, MetadataLicense: "CC0-1.0",
		ProjectLicense: m.Release["License"], Name: m.Details.Name, Summary: m.Release["Summary"],
		Categories: m.LinuxAndBSD.Categories, Keywords: m.LinuxAndBSD.Keywords,
		Releases: []release{{Version: m.Details.Version, Date: m.Release["Date"]}}}
	c.Description.P = m.Release["Description"]
	c.Launchable.Type, c.Launchable.ID = "desktop-id", m.Details.ID+".desktop"
	c.URL.Type, c.URL.URL = "homepage", m.Website
	c.Provides.Binary = m.Details.Name
	c.ContentRating.Type = "oars-1.1"
	var b bytes.Buffer
	b.WriteString(xml.Header)
	enc := xml.NewEncoder(&b)
	enc.Indent("", "  ")
	if err := enc.Encode(c); err != nil {
		return nil, err
	}
	b.WriteByte('\n')
	return b.Bytes(), nil
}

// keepFile snapshots a tracked file that a tool rewrites (fyne package bumps Build in
// FyneApp.toml and reformats it) and returns the function that puts it back.
func keepFile(path string) (restore func() error, err error) {
	orig, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	info, err := os.Stat(path)
	if err != nil {
		return nil, err
	}
	return func() error {
		now, err := os.ReadFile(path)
		if err == nil && bytes.Equal(now, orig) {
			return nil
		}
		return os.WriteFile(path, orig, info.Mode().Perm())
	}, nil
}
