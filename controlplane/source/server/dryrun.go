package server

import (
	"context"
	"maps"

	"k8s.io/apimachinery/pkg/runtime"
	gwapiv1 "sigs.k8s.io/gateway-api/apis/v1"

	"github.com/envoygateway/terraform-provider-envoygateway/controlplane/gatewayapi"
	"github.com/envoygateway/terraform-provider-envoygateway/controlplane/resource"
)

// dryRun is the result of each prepared write had it been stored, with the
// status the translator gives it among everything else in force.
func (a *API) dryRun(ctx context.Context, ps []*prepared) []*WriteResult {
	out := make([]*WriteResult, len(ps))
	for i, p := range ps {
		var rev int64
		if p.old != nil {
			rev = p.old.Revision
		}
		out[i] = p.result(rev)
	}
	for i, st := range a.translateCandidates(ctx, ps) {
		if st != nil {
			out[i].Object.Object["status"] = st
		}
	}
	return out
}

// translateCandidates translates the store's snapshot with the candidates
// in place of (or added to) the stored objects, and returns the status
// each candidate would be written with; nil entries get none from us.
func (a *API) translateCandidates(ctx context.Context, ps []*prepared) []map[string]any {
	cands := &resource.Resources{}
	typed := make([]resource.Object, len(ps))
	needed := false
	for i, p := range ps {
		obj, ok, err := decodeTyped(p.kind.GroupKind(), p.value)
		if !ok || err != nil {
			continue
		}
		typed[i] = obj
		cands.Add(obj)
		switch obj.(type) {
		case *gwapiv1.GatewayClass, *gwapiv1.Gateway:
			needed = true
		}
		needed = needed || routeStatusOf(obj) != nil
	}
	if !needed {
		return nil
	}
	state, err := a.sources(ctx)
	if err != nil {
		a.log.Error("dry-run: reading the current resources", "error", err)
		return nil
	}
	state = maps.Clone(state)
	if cur := state[SourceName]; cur != nil {
		cands.Merge(cur)
	}
	state[SourceName] = cands
	res, err := gatewayapi.TranslateSources(state, a.opts.Translate)
	if err != nil {
		a.log.Error("dry-run: translation failed", "error", err)
		return nil
	}
	out := make([]map[string]any, len(ps))
	for i, obj := range typed {
		if obj == nil {
			continue
		}
		if st := a.computedStatus(res, obj); st != nil {
			m, err := runtime.DefaultUnstructuredConverter.ToUnstructured(st)
			if err == nil {
				out[i] = m
			}
		}
	}
	return out
}

// computedStatus is the status the status writer would store for obj
// given res; nil when res has nothing to say about obj.
func (a *API) computedStatus(res *gatewayapi.Result, obj resource.Object) any {
	ctrl := a.controller()
	switch o := obj.(type) {
	case *gwapiv1.GatewayClass:
		if c := find(res.GatewayClasses, o); c != nil {
			st := gatewayClassStatus(c.Status, o.Status)
			return &st
		}
	case *gwapiv1.Gateway:
		if g := find(res.Gateways, o); g != nil {
			st := gatewayStatus(g.Status, o.Status)
			return &st
		}
	}
	if stored := routeStatusOf(obj); stored != nil {
		for _, r := range routesOf(res) {
			if storeKeyOf(r) == storeKeyOf(obj) {
				st := routeStatus(ctrl, *routeStatusOf(r), *stored)
				return &st
			}
		}
	}
	return nil
}

func (a *API) controller() gwapiv1.GatewayController {
	if c := a.opts.Translate.ControllerName; c != "" {
		return c
	}
	return resource.DefaultControllerName
}

func find[T resource.Object](list []T, obj resource.Object) T {
	var zero T
	for _, o := range list {
		if o.GetNamespace() == obj.GetNamespace() && o.GetName() == obj.GetName() {
			return o
		}
	}
	return zero
}

// sources is what every config source holds now.
func (a *API) sources(ctx context.Context) (map[string]*resource.Resources, error) {
	if a.opts.Sources != nil {
		return a.opts.Sources(), nil
	}
	snap, err := loadSnapshot(ctx, a.st)
	if err != nil {
		return nil, err
	}
	return map[string]*resource.Resources{SourceName: snap}, nil
}
