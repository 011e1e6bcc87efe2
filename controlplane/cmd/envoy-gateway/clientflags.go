package main

import (
	"encoding/json"
	"fmt"
	"io"
	"os"

	"github.com/spf13/cobra"
	"sigs.k8s.io/yaml"

	"github.com/envoygateway/terraform-provider-envoygateway/internal/apiclient"
)

// defaultTokenFile is where "envoy-gateway server" writes its token with
// the default data directory, so that on the machine running the server
// the commands work without flags.
const defaultTokenFile = "data/api-token"

// clientFlags are how apply, get, delete and status reach the server.
type clientFlags struct {
	server, token, tokenFile  string
	caFile, certFile, keyFile string
	insecureSkipVerify        bool
}

func addClientFlags(cmd *cobra.Command) *clientFlags {
	f := &clientFlags{}
	fs := cmd.Flags()
	fs.StringVar(&f.server, "server", "", "config server URL (default $"+apiclient.EnvEndpoint+", else "+apiclient.DefaultEndpoint+")")
	fs.StringVar(&f.token, "token", "", "bearer token (default $"+apiclient.EnvToken+")")
	fs.StringVar(&f.tokenFile, "token-file", "", "file holding the bearer token (default $"+apiclient.EnvTokenFile+", else "+defaultTokenFile+" if it exists)")
	fs.StringVar(&f.caFile, "certificate-authority", "", "CA certificate (PEM) to verify an https server with")
	fs.StringVar(&f.certFile, "client-certificate", "", "client certificate (PEM) for mTLS")
	fs.StringVar(&f.keyFile, "client-key", "", "client key (PEM) for mTLS")
	fs.BoolVar(&f.insecureSkipVerify, "insecure-skip-tls-verify", false, "do not verify the server's certificate (testing only)")
	return f
}

// options resolves flags, then the environment, then the defaults.
func (f *clientFlags) options() apiclient.Options {
	o := apiclient.Options{
		Endpoint: f.server, Token: f.token, TokenFile: f.tokenFile,
		TLS: apiclient.TLSOptions{
			CAFile: f.caFile, CertFile: f.certFile, KeyFile: f.keyFile,
			InsecureSkipVerify: f.insecureSkipVerify,
		},
		UserAgent: "envoy-gateway/" + version,
	}.WithEnv()
	if o.Token == "" && o.TokenFile == "" && f.certFile == "" {
		if _, err := os.Stat(defaultTokenFile); err == nil {
			o.TokenFile = defaultTokenFile
		}
	}
	return o
}

func (f *clientFlags) client() (*apiclient.Client, error) {
	return apiclient.New(f.options())
}

// checkOutput validates an -o value of a command that prints objects.
func checkOutput(output string) error {
	switch output {
	case "", "yaml", "json":
		return nil
	}
	return fmt.Errorf("-o: unsupported value %q: want yaml or json, or nothing for a table", output)
}

// printValue writes v as YAML or JSON, as -o asks.
func printValue(w io.Writer, v any, output string) error {
	if output == "json" {
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(v)
	}
	b, err := yaml.Marshal(v)
	if err != nil {
		return err
	}
	_, err = w.Write(b)
	return err
}
