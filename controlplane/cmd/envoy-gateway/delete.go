package main

import (
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/envoygateway/terraform-provider-envoygateway/internal/apiclient"
)

func newDeleteCommand() *cobra.Command {
	var namespace string
	var dryRun bool
	var cf *clientFlags
	cmd := &cobra.Command{
		Use:   "delete KIND NAME [NAME...] [-n NS]",
		Short: "Delete objects from a running config server",
		Long: `Delete objects of one kind by name. KIND is named as with "get" (httproute,
gateway, gc, ...). Every name is attempted; the command fails if any delete did.`,
		Example: `  envoy-gateway delete httproute shop -n team-a
  envoy-gateway delete gc eg --dry-run`,
		Args: cobra.MinimumNArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			c, err := cf.client()
			if err != nil {
				return err
			}
			ctx := cmd.Context()
			k, err := c.ResolveKind(ctx, args[0])
			if err != nil {
				return err
			}
			ns := namespace
			if !k.Namespaced {
				ns = ""
			}
			suffix := ""
			if dryRun {
				suffix = " (dry run)"
			}
			failed := 0
			for _, name := range args[1:] {
				if _, err := c.Delete(ctx, k.GroupVersionKind, ns, name, apiclient.DeleteOptions{DryRun: dryRun}); err != nil {
					fmt.Fprintf(cmd.ErrOrStderr(), "error: %s %q: %v\n", resourceRef(k), name, err)
					failed++
					continue
				}
				fmt.Fprintf(cmd.OutOrStdout(), "%s %q deleted%s\n", resourceRef(k), name, suffix)
			}
			if failed > 0 {
				return fmt.Errorf("%d of %d deletes failed", failed, len(args)-1)
			}
			return nil
		},
	}
	cf = addClientFlags(cmd)
	cmd.Flags().StringVarP(&namespace, "namespace", "n", "default", "namespace of namespaced kinds")
	cmd.Flags().BoolVar(&dryRun, "dry-run", false, "check what would be deleted and delete nothing")
	return cmd
}

// resourceRef names a kind as kubectl's messages do ("httproute.gateway.networking.k8s.io").
func resourceRef(k apiclient.Kind) string {
	if k.Group == "" {
		return strings.ToLower(k.Kind)
	}
	return strings.ToLower(k.Kind) + "." + k.Group
}
