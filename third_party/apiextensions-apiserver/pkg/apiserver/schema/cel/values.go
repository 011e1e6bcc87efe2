/*
Copyright 2021 The Kubernetes Authors.

Licensed under the Apache License, Version 2.0 (the "License");
you may not use this file except in compliance with the License.
You may obtain a copy of the License at

    http://www.apache.org/licenses/LICENSE-2.0

Unless required by applicable law or agreed to in writing, software
distributed under the License is distributed on an "AS IS" BASIS,
WITHOUT WARRANTIES OR CONDITIONS OF ANY KIND, either express or implied.
See the License for the specific language governing permissions and
limitations under the License.
*/

package cel

import (
	"sync"

	"k8s.io/apimachinery/pkg/util/validation/field"

	"github.com/google/cel-go/common/types/ref"

	structuralschema "k8s.io/apiextensions-apiserver/pkg/apiserver/schema"
	"k8s.io/apiextensions-apiserver/pkg/apiserver/schema/cel/model"
	celopenapi "k8s.io/apiserver/pkg/cel/common"
)

// UnstructuredToVal converts a Kubernetes unstructured data element to a CEL Val.
// The root schema of custom resource schema is expected contain type meta and object meta schemas.
// If Embedded resources do not contain type meta and object meta schemas, they will be added automatically.
func UnstructuredToVal(unstructured interface{}, schema *structuralschema.Structural) ref.Val {
	return celopenapi.UnstructuredToVal(unstructured, &model.Structural{Structural: schema})
}

// selfSchemaOf is the CEL adaptor of a validator node's schema, as
// validateExpressions used to build it on every call (PATCHED).
func selfSchemaOf(s *structuralschema.Structural, isResourceRoot bool) *model.Structural {
	if isResourceRoot {
		s = model.WithTypeAndObjectMeta(s)
	}
	return &model.Structural{Structural: s}
}

// propertyPointers is props by pointer, for validateMap (PATCHED).
func propertyPointers(props map[string]Validator) map[string]*Validator {
	if props == nil {
		return nil
	}
	out := make(map[string]*Validator, len(props))
	for k := range props {
		v := props[k]
		out[k] = &v
	}
	return out
}

// property is s.Properties[k] without copying it to the heap (PATCHED).
func (s *Validator) property(k string) (*Validator, bool) {
	if s.propertyPtrs != nil {
		sub, ok := s.propertyPtrs[k]
		return sub, ok
	}
	sub, ok := s.Properties[k]
	return &sub, ok
}

// lazyPath is the field path of the value being validated, built into a
// *field.Path only when an error needs it (PATCHED): the walk made a
// *field.Path for every field and item it descended into, and almost all
// of them were never used. One per Validate call, from lazyPaths.
type lazyPath struct {
	root  *field.Path
	steps []pathElem
}

type pathElem struct {
	step  pathStep
	name  string
	index int
}

type pathStep int

const (
	pathChild pathStep = iota
	pathKey
	pathIndex
)

var lazyPaths = sync.Pool{New: func() any { return new(lazyPath) }}

func newLazyPath(root *field.Path) *lazyPath {
	p := lazyPaths.Get().(*lazyPath)
	p.root = root
	return p
}

func (p *lazyPath) release() {
	clear(p.steps[:cap(p.steps)])
	p.steps = p.steps[:0]
	p.root = nil
	lazyPaths.Put(p)
}

func (p *lazyPath) push(step pathStep, name string, index int) {
	p.steps = append(p.steps, pathElem{step: step, name: name, index: index})
}

func (p *lazyPath) pop() { p.steps = p.steps[:len(p.steps)-1] }

// build is the *field.Path that Child, Key and Index would have made.
func (p *lazyPath) build() *field.Path {
	path := p.root
	for _, e := range p.steps {
		switch e.step {
		case pathChild:
			path = path.Child(e.name)
		case pathKey:
			path = path.Key(e.name)
		default:
			path = path.Index(e.index)
		}
	}
	return path
}
