package chartimage

import "github.com/dop251/goja"

var measureTextWidth = goja.Undefined()
