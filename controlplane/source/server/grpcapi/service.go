package grpcapi

import (
	"context"
	"sync"

	"google.golang.org/grpc/status"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/apimachinery/pkg/watch"

	configv1 "github.com/envoygateway/terraform-provider-envoygateway/api/proto/config/v1"
	"github.com/envoygateway/terraform-provider-envoygateway/controlplane/source/server"
)

// service is the gRPC face of the Config Server's core: every call is one
// call of *server.API, so both transports share one set of semantics and
// the same errors.
type service struct {
	configv1.UnimplementedConfigServiceServer
	api *server.API
	// stopping closes when the server shuts down, to end watches, which
	// would otherwise hold a graceful stop open for ever.
	stopping chan struct{}
	stopOnce sync.Once
}

func newService(api *server.API) *service {
	return &service{api: api, stopping: make(chan struct{})}
}

func (s *service) stop() { s.stopOnce.Do(func() { close(s.stopping) }) }

func (s *service) Get(ctx context.Context, req *configv1.GetRequest) (*configv1.Object, error) {
	obj, err := s.api.Get(ctx, gvkOf(req.GetType()), req.GetNamespace(), req.GetName())
	if err != nil {
		return nil, toGRPC(err)
	}
	return toObject(obj)
}

func (s *service) List(ctx context.Context, req *configv1.ListRequest) (*configv1.ListResponse, error) {
	list, err := s.api.List(ctx, gvkOf(req.GetType()), req.GetNamespace(), server.ListOptions{LabelSelector: req.GetLabelSelector()})
	if err != nil {
		return nil, toGRPC(err)
	}
	out := &configv1.ListResponse{ResourceVersion: list.GetResourceVersion(), Items: make([]*configv1.Object, 0, len(list.Items))}
	for i := range list.Items {
		o, err := toObject(&list.Items[i])
		if err != nil {
			return nil, err
		}
		out.Items = append(out.Items, o)
	}
	return out, nil
}

func (s *service) Put(ctx context.Context, req *configv1.PutRequest) (*configv1.PutResponse, error) {
	obj, gvk, err := s.requestObject(req)
	if err != nil {
		return nil, toGRPC(err)
	}
	res, err := s.api.Put(ctx, gvk, req.GetNamespace(), req.GetName(), obj, writeOptions(req.GetDryRun(), req.GetFieldValidation()))
	if err != nil {
		return nil, toGRPC(err)
	}
	o, err := toObject(res.Object)
	if err != nil {
		return nil, err
	}
	return &configv1.PutResponse{Object: o, Created: res.Created, Unchanged: res.Unchanged, Warnings: res.Warnings}, nil
}

// requestObject decodes a Put's body and works out its kind: from the
// request when given, else from the body's apiVersion and kind. The core
// checks that the two agree.
func (s *service) requestObject(req *configv1.PutRequest) (*unstructured.Unstructured, schema.GroupVersionKind, error) {
	m, err := server.DecodeObject(req.GetJson(), server.FormatAuto)
	if err != nil {
		return nil, schema.GroupVersionKind{}, badRequest400("json: " + err.Error())
	}
	obj := &unstructured.Unstructured{Object: m}
	if t := req.GetType(); t.GetKind() != "" {
		return obj, gvkOf(t), nil
	}
	gv, err := schema.ParseGroupVersion(obj.GetAPIVersion())
	if err != nil || obj.GetAPIVersion() == "" || obj.GetKind() == "" {
		return nil, schema.GroupVersionKind{}, badRequest400("json: apiVersion and kind are required when type is not set")
	}
	return obj, gv.WithKind(obj.GetKind()), nil
}

func (s *service) Delete(ctx context.Context, req *configv1.DeleteRequest) (*configv1.Object, error) {
	opts := server.DeleteOptions{DryRun: req.GetDryRun()}
	if rv := req.GetPreconditionResourceVersion(); rv != "" {
		opts.Preconditions.ResourceVersion = &rv
	}
	if uid := types.UID(req.GetPreconditionUid()); uid != "" {
		opts.Preconditions.UID = &uid
	}
	obj, err := s.api.Delete(ctx, gvkOf(req.GetType()), req.GetNamespace(), req.GetName(), opts)
	if err != nil {
		return nil, toGRPC(err)
	}
	return toObject(obj)
}

func (s *service) Apply(ctx context.Context, req *configv1.ApplyRequest) (*configv1.ApplyResponse, error) {
	res, err := s.api.Apply(ctx, req.GetManifests(), writeOptions(req.GetDryRun(), req.GetFieldValidation()))
	var out *configv1.ApplyResponse
	if res != nil {
		var cerr error
		if out, cerr = toApplyResponse(res); cerr != nil {
			return nil, cerr
		}
	}
	if err != nil {
		return nil, applyError(err, out)
	}
	return out, nil
}

func (s *service) Watch(req *configv1.WatchRequest, stream configv1.ConfigService_WatchServer) error {
	ctx := stream.Context()
	events, err := s.api.Watch(ctx, gvkOf(req.GetType()), req.GetNamespace(), server.ListOptions{
		LabelSelector: req.GetLabelSelector(), ResourceVersion: req.GetResourceVersion(),
	})
	if err != nil {
		return toGRPC(err)
	}
	for {
		select {
		case ev, ok := <-events:
			if !ok {
				return watchClosed(ctx)
			}
			if err := send(stream, ev); err != nil {
				return err
			}
		case <-s.stopping:
			return statusError(unavailable(shuttingDown))
		}
	}
}

const shuttingDown = "the config server is shutting down; watch again from the last resourceVersion"

func send(stream configv1.ConfigService_WatchServer, ev server.WatchEvent) error {
	if ev.Type == watch.Error {
		return statusError(ev.Status)
	}
	o, err := toObject(ev.Object)
	if err != nil {
		return err
	}
	return stream.Send(&configv1.WatchEvent{Type: string(ev.Type), Object: o})
}

// watchClosed says why the core ended a watch without an ERROR event: the
// client went away, or the store closed because the server is going away.
func watchClosed(ctx context.Context) error {
	if ctx.Err() != nil {
		return status.FromContextError(ctx.Err()).Err()
	}
	return statusError(unavailable(shuttingDown))
}

func (s *service) Kinds(context.Context, *configv1.KindsRequest) (*configv1.KindsResponse, error) {
	kinds := s.api.Kinds()
	out := &configv1.KindsResponse{Kinds: make([]*configv1.Kind, 0, len(kinds))}
	for _, k := range kinds {
		out.Kinds = append(out.Kinds, &configv1.Kind{
			Type:     &configv1.GroupVersionKind{Group: k.Group, Version: k.Version, Kind: k.Kind},
			Resource: k.Resource, Namespaced: k.Namespaced, HasStatus: k.HasStatus,
		})
	}
	return out, nil
}

func writeOptions(dryRun bool, fv string) server.WriteOptions {
	return server.WriteOptions{DryRun: dryRun, FieldValidation: server.FieldValidation(fv)}
}

func gvkOf(t *configv1.GroupVersionKind) schema.GroupVersionKind {
	return schema.GroupVersionKind{Group: t.GetGroup(), Version: t.GetVersion(), Kind: t.GetKind()}
}
