package main

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"
	"time"

	"github.com/cubechat/cubechat/cube"
	"github.com/cubechat/cubechat/cubeserver/rest"
)

// broadcast creates a broadcast dialog (type 1) on a running server through its admin
// API: the only way to make one, as on ConnectyCube, where the admin panel does it.
func broadcast(args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("cubeserver broadcast", flag.ContinueOnError)
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "Usage: cubeserver broadcast -url URL -cert FILE -admin-key KEY -owner USERID -name NAME\n\n"+
			"Creates a broadcast dialog that every user of the app sees and only its owner and admins\n"+
			"post to, through POST /admin/chat/Dialog of a running cubeserver (started with -admin-key).\n"+
			"Prints the new dialog's id.\n\nFlags:\n")
		fs.PrintDefaults()
	}
	url := fs.String("url", "https://127.0.0.1:8080", "REST base URL of the running server")
	certFile := fs.String("cert", "", "the server's certificate to trust (DATA/tls/cert.pem); empty = the system's roots")
	key := fs.String("admin-key", "", "the server's admin key (CB-Administration-API-Key)")
	owner := fs.Int64("owner", 0, "user id of the dialog's owner")
	name := fs.String("name", "", "dialog name")
	description := fs.String("description", "", "optional description")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil
		}
		return err
	}
	switch {
	case fs.NArg() > 0:
		return fmt.Errorf("broadcast: unexpected arguments %q (see -h)", fs.Args())
	case *key == "":
		return errors.New("broadcast: -admin-key is required")
	case *owner <= 0:
		return errors.New("broadcast: -owner must be a user id")
	case strings.TrimSpace(*name) == "":
		return errors.New("broadcast: -name is required")
	}
	body, _ := json.Marshal(map[string]any{"type": cube.DialogBroadcast, "user_id": *owner, "name": *name, "description": *description})
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, strings.TrimRight(*url, "/")+"/admin/chat/Dialog", bytes.NewReader(body))
	if err != nil {
		return fmt.Errorf("broadcast: %w", err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set(rest.AdminKeyHeader, *key)
	client, err := httpClient(*certFile)
	if err != nil {
		return fmt.Errorf("broadcast: %w", err)
	}
	res, err := client.Do(req)
	if err != nil {
		return fmt.Errorf("broadcast: %w", err)
	}
	defer res.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(res.Body, 1<<20))
	if err != nil {
		return fmt.Errorf("broadcast: read answer: %w", err)
	}
	if res.StatusCode/100 != 2 {
		return fmt.Errorf("broadcast: server answered %s: %s", res.Status, bytes.TrimSpace(raw))
	}
	var d cube.Dialog
	if err := json.Unmarshal(raw, &d); err != nil || d.ID == "" {
		return fmt.Errorf("broadcast: unreadable answer %q", raw)
	}
	fmt.Fprintln(stdout, d.ID)
	return nil
}

// httpClient trusts only the certificate in certFile, the way cubechat pins a server's
// certificate, or the system's roots when certFile is "".
func httpClient(certFile string) (*http.Client, error) {
	if certFile == "" {
		return http.DefaultClient, nil
	}
	pem, err := os.ReadFile(certFile)
	if err != nil {
		return nil, err
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(pem) {
		return nil, fmt.Errorf("%s holds no PEM certificate", certFile)
	}
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.TLSClientConfig = &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12}
	return &http.Client{Transport: tr}, nil
}
