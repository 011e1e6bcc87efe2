package main

import (
	"errors"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/util/duration"

	"github.com/envoygateway/terraform-provider-envoygateway/internal/apiclient"
)

func newGetCommand() *cobra.Command {
	var namespace, selector, output string
	var all bool
	var cf *clientFlags
	cmd := &cobra.Command{
		Use:   "get KIND [NAME...] [-n NS | -A] [-l SELECTOR] [-o yaml|json]",
		Short: "Show objects stored in a running config server, with their status",
		Long: `Show objects of one kind from a running config server. KIND is named as with
kubectl: httproute, httproutes, HTTPRoute, gateway (gw, gtw), gatewayclass (gc),
referencegrant, backend, service (svc), optionally qualified by group
(httproutes.gateway.networking.k8s.io).

The table shows each object's Accepted and Programmed conditions and the
reason that matters most (the first one that is not True). For routes,
Accepted sums up every parent; they have no Programmed condition.`,
		Example: `  envoy-gateway get httproutes -A
  envoy-gateway get gateway eg -n infra -o yaml
  envoy-gateway get gc`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := checkOutput(output); err != nil {
				return err
			}
			if all && len(args) > 1 {
				return errors.New("-A lists every namespace; it cannot be used with names")
			}
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
			if all || !k.Namespaced {
				ns = ""
			}
			var objs []unstructured.Unstructured
			if len(args) == 1 {
				list, err := c.List(ctx, k.GroupVersionKind, ns, apiclient.ListOptions{LabelSelector: selector})
				if err != nil {
					return err
				}
				objs = list.Items
			} else {
				for _, name := range args[1:] {
					o, err := c.Get(ctx, k.GroupVersionKind, ns, name)
					if err != nil {
						return err
					}
					objs = append(objs, *o)
				}
			}
			return printObjects(cmd.OutOrStdout(), cmd.ErrOrStderr(), objs, len(args) == 2, k, all, output)
		},
	}
	cf = addClientFlags(cmd)
	cmd.Flags().StringVarP(&namespace, "namespace", "n", "default", "namespace of namespaced kinds")
	cmd.Flags().BoolVarP(&all, "all-namespaces", "A", false, "list every namespace")
	cmd.Flags().StringVarP(&selector, "selector", "l", "", "label selector (app=x,tier!=db)")
	cmd.Flags().StringVarP(&output, "output", "o", "", "output format: yaml or json; a table when empty")
	return cmd
}

// printObjects prints a table, or YAML/JSON: one object when one was asked
// for by name, else a List.
func printObjects(w, stderr io.Writer, objs []unstructured.Unstructured, single bool, k apiclient.Kind, allNamespaces bool, output string) error {
	if output != "" {
		if single {
			return printValue(w, objs[0].Object, output)
		}
		items := make([]any, len(objs))
		for i := range objs {
			items[i] = objs[i].Object
		}
		return printValue(w, map[string]any{"apiVersion": "v1", "kind": "List", "items": items}, output)
	}
	if len(objs) == 0 {
		fmt.Fprintf(stderr, "No %s found.\n", k.Resource)
		return nil
	}
	rows := make([]statusRow, len(objs))
	for i := range objs {
		rows[i] = rowOf(&objs[i])
	}
	return writeTable(w, rows, allNamespaces && k.Namespaced, false)
}

// statusRow is one object's line in a table.
type statusRow struct {
	Kind       string `json:"kind"`
	Namespace  string `json:"namespace,omitempty"`
	Name       string `json:"name"`
	Accepted   string `json:"accepted"`
	Programmed string `json:"programmed"`
	Reason     string `json:"reason"`
	Message    string `json:"message,omitempty"`
	created    time.Time
}

func writeTable(w io.Writer, rows []statusRow, withNamespace, withKind bool) error {
	tw := tabwriter.NewWriter(w, 0, 4, 3, ' ', 0)
	var head []string
	if withKind {
		head = append(head, "KIND")
	}
	if withNamespace {
		head = append(head, "NAMESPACE")
	}
	fmt.Fprintln(tw, strings.Join(append(head, "NAME", "ACCEPTED", "PROGRAMMED", "REASON", "AGE"), "\t"))
	for _, r := range rows {
		var cols []string
		if withKind {
			cols = append(cols, r.Kind)
		}
		if withNamespace {
			cols = append(cols, r.Namespace)
		}
		cols = append(cols, r.Name, r.Accepted, r.Programmed, r.Reason, age(r.created))
		fmt.Fprintln(tw, strings.Join(cols, "\t"))
	}
	return tw.Flush()
}

func age(t time.Time) string {
	if t.IsZero() {
		return "<unknown>"
	}
	return duration.HumanDuration(time.Since(t))
}

// rowOf sums up an object's status.
func rowOf(u *unstructured.Unstructured) statusRow {
	r := statusRow{Kind: u.GetKind(), Namespace: u.GetNamespace(), Name: u.GetName(), Accepted: "-", Programmed: "-", Reason: "-"}
	r.created = u.GetCreationTimestamp().Time
	if conds, ok := conditionsAt(u.Object, "status", "conditions"); ok {
		summarizeOwn(&r, conds, u.GetGeneration())
		return r
	}
	if parents, ok, _ := unstructured.NestedSlice(u.Object, "status", "parents"); ok {
		summarizeParents(&r, parents)
	}
	return r
}

// summarizeOwn reads the conditions of a GatewayClass or Gateway.
func summarizeOwn(r *statusRow, conds []metav1.Condition, generation int64) {
	acc, prog := find(conds, "Accepted"), find(conds, "Programmed")
	if acc != nil {
		r.Accepted = string(acc.Status)
	}
	if prog != nil {
		r.Programmed = string(prog.Status)
	}
	r.Reason, r.Message = pickReason(acc, prog)
	if acc != nil && acc.ObservedGeneration < generation {
		// The controller has not seen the latest spec yet.
		r.Reason, r.Message = "Pending", "status is for generation "+fmt.Sprint(acc.ObservedGeneration)+" of "+fmt.Sprint(generation)
	}
}

// summarizeParents sums up a route's status.parents: Accepted is True
// only when every parent accepted it, and the reason is the first problem
// (not accepted, or references not resolved) with the parent it is about.
func summarizeParents(r *statusRow, parents []any) {
	if len(parents) == 0 {
		r.Accepted, r.Reason = "Unknown", "NoParentStatus"
		return
	}
	accepted := "True"
	var reason, message string
	for _, p := range parents {
		pm, _ := p.(map[string]any)
		conds, _ := conditionsAt(pm, "conditions")
		acc, refs := find(conds, "Accepted"), find(conds, "ResolvedRefs")
		switch {
		case acc == nil:
			accepted = worse(accepted, "Unknown")
		default:
			accepted = worse(accepted, string(acc.Status))
		}
		if reason != "" {
			continue
		}
		parent, _, _ := unstructured.NestedString(pm, "parentRef", "name")
		if acc != nil && acc.Status != metav1.ConditionTrue {
			reason, message = acc.Reason, parent+": "+acc.Message
		} else if refs != nil && refs.Status != metav1.ConditionTrue {
			reason, message = refs.Reason, parent+": "+refs.Message
		}
	}
	r.Accepted = accepted
	r.Reason, r.Message = reason, message
	if r.Reason == "" {
		r.Reason = "Accepted"
	}
}

// worse orders condition states False < Unknown < True.
func worse(a, b string) string {
	rank := map[string]int{"False": 0, "Unknown": 1, "True": 2}
	if rank[b] < rank[a] {
		return b
	}
	return a
}

// pickReason is the first condition that is not True, else the last one.
func pickReason(conds ...*metav1.Condition) (string, string) {
	var last *metav1.Condition
	for _, c := range conds {
		if c == nil {
			continue
		}
		if c.Status != metav1.ConditionTrue {
			return c.Reason, c.Message
		}
		last = c
	}
	if last == nil {
		return "-", ""
	}
	return last.Reason, last.Message
}

func find(conds []metav1.Condition, typ string) *metav1.Condition {
	for i := range conds {
		if conds[i].Type == typ {
			return &conds[i]
		}
	}
	return nil
}

// conditionsAt reads a conditions list; ok is false when there is none.
func conditionsAt(obj map[string]any, fields ...string) ([]metav1.Condition, bool) {
	raw, ok, _ := unstructured.NestedSlice(obj, fields...)
	if !ok {
		return nil, false
	}
	out := make([]metav1.Condition, 0, len(raw))
	for _, c := range raw {
		m, _ := c.(map[string]any)
		var cond metav1.Condition
		if runtime.DefaultUnstructuredConverter.FromUnstructured(m, &cond) == nil {
			out = append(out, cond)
		}
	}
	return out, true
}
