package i18n

import (
	"fmt"
	"strings"
)

// engineZH says the validation messages of the engine (and of the pages'
// own checks, built with engine.Errorf) in Chinese, keyed by their English
// format: an *engine.Error carries that format as its Code and the
// arguments beside it. Indexed verbs (%[2]s) reorder the arguments where
// Chinese puts them in another order. TestEngineMessages checks that every
// format the code uses is here, with the same arguments.
var engineZH = map[string]string{
	"%q is not a valid value (expected one of %s)": "%q 不是有效的取值（应为 %s 之一）",
	"%s computes in float64 only":                  "%s 只能用 float64 计算",
	"%s is not a valid value (expected one of %s)": "%s 不是有效的取值（应为 %s 之一）",
	"%v": "%v",
	"0D or 1D target tensor expected, multi-target not supported (got shape %s)":                                                  "target 应为 0 维或 1 维张量，不支持多目标（实际形状 %s）",
	"a 0-d target does not fit input shape %s: expected target shape %s":                                                          "0 维的 target 与输入形状 %s 不匹配：target 的形状应为 %s",
	"a 0D target tensor expects 1D input tensors, but found inputs with sizes %s and %s":                                          "0 维的 target 要求输入为 1 维张量，但两个输入的形状是 %s 和 %s",
	"a 1D target tensor expects 2D input tensors, but found inputs with sizes %s and %s":                                          "1 维的 target 要求输入为 2 维张量，但两个输入的形状是 %s 和 %s",
	"all elements of input should be between 0 and 1, got input[%d] = %g":                                                         "input 的所有元素都应在 0 到 1 之间，但 input[%d] = %g",
	"all input tensors should have the same number of dimensions, but got sizes input1: %s, input2: %s, target: %s":               "所有输入张量的维数应当相同，但形状分别是 input1：%s，input2：%s，target：%s",
	"all inputs should have the same number of dimensions, but got %dD, %dD and %dD inputs (anchor %s, positive %s, negative %s)": "所有输入的维数应当相同，但分别是 %d 维、%d 维和 %d 维（anchor %s，positive %s，negative %s）",
	"blank must be in label range [0, %d), got %d":                                                                                "blank 必须在标签范围 [0, %d) 内，实际为 %d",
	"cannot encode: %v": "无法编码：%v",
	"class indices must be integers (PyTorch expects an int64 tensor), got %v":                                             "类别索引必须是整数（PyTorch 要求 int64 张量），实际为 %v",
	"concatenated targets must have Σ target_lengths = %d entries, got %d":                                                 "拼接的 targets 应有 Σ target_lengths = %d 个元素，实际为 %d 个",
	"dimension out of range (expected to be in range of [%d, %d], but got %d): %s and %s broadcast to %s":                  "维度超出范围（应在 [%d, %d] 内，实际为 %d）：%s 和 %s 广播为 %s",
	"empty batch: PyTorch's %s of no samples is uninitialised memory":                                                      "批次为空：PyTorch 对零个样本求 %s 得到的是未初始化的内存",
	"entry %v is out of range: every entry, also after the first −1, must lie in [−1, %d)":                                 "元素 %v 超出范围：每个元素（包括第一个 −1 之后的）都必须在 [−1, %d) 内",
	"expected 1 or more dimensions (got 0): input is (C), (N, C) or (N, C, d1, …, dK)":                                     "应至少有 1 维（实际为 0 维）：input 的形状为 (C)、(N, C) 或 (N, C, d1, …, dK)",
	"expected a non-empty vector (C) or matrix (N, C) with C ≥ 1, got shape %s":                                            "应为非空向量 (C) 或矩阵 (N, C)，且 C ≥ 1，实际形状为 %s",
	"expected at least 1 dimension (the classes), got a 0-d tensor":                                                        "应至少有 1 维（类别），实际是 0 维张量",
	"expected input batch_size (%d) to match target batch_size (%d)":                                                       "input 的批大小（%d）应与 target 的批大小（%d）一致",
	"expected target size %s, got %s":                                                                                      "target 的形状应为 %s，实际为 %s",
	"has a negative entry (var[%d] = %g); variances must be at least 0":                                                    "含有负数（var[%d] = %g）；方差必须不小于 0",
	"ignore_index %d is not supported with class-probability targets (a target of the input's shape); it must be negative": "target 为类别概率（形状与输入相同）时不支持 ignore_index %d；它必须是负数",
	"inconsistent size %s: expected %d entries like the input":                                                             "形状 %s 不一致：应与输入一样有 %d 个元素",
	"inconsistent size %s: expected the input's shape %s":                                                                  "形状 %s 不一致：应与输入的形状 %s 相同",
	"inconsistent target size %s: expected %d class indices":                                                               "target 形状 %s 不一致：应有 %d 个类别索引",
	"is of incorrect size %s for input shape %s: it must be %s (one variance per element), or %s or %s (one per row)":      "的形状 %s 与输入形状 %s 不符：应为 %s（每个元素一个方差），或 %s、%s（每行一个）",
	"missing input (%s takes %s)":                                                                                          "缺少输入（%s 需要 %s）",
	"must be \"float64\" or \"float32\", got %s":                                                                           "必须是 \"float64\" 或 \"float32\"，实际为 %s",
	"must be \"float32\", or absent for float64, got %q":                                                                   "必须是 \"float32\"，或省略（即 float64），实际为 %q",
	"must be \"en\" or \"zh\", got %q":                                                                                     "必须是 \"en\" 或 \"zh\"，实际为 %q",
	"must be \"en\" or \"zh\", got %s":                                                                                     "必须是 \"en\" 或 \"zh\"，实际为 %s",
	"must be \"light\" or \"dark\", got %s":                                                                                "必须是 \"light\" 或 \"dark\"，实际为 %s",
	"must be a 1-D tensor of length C = %d, got shape %s":                                                                  "必须是长度为 C = %d 的 1 维张量，实际形状为 %s",
	"must be a class index in [0, %d), got %d":                                                                             "必须是 [0, %d) 内的类别索引，实际为 %d",
	"must be a class index, got %s":                                                                                        "必须是类别索引，实际为 %s",
	"must be a finite number, got %s":                                                                                      "必须是有限的数，实际为 %s",
	"must be a finite number, got %v":                                                                                      "必须是有限的数，实际为 %v",
	"must be a non-negative integer, got %d":                                                                               "必须是非负整数，实际为 %d",
	"must be a non-negative integer, got %s":                                                                               "必须是非负整数，实际为 %s",
	"must be a number in range, got NaN":                                                                                   "必须是范围内的数，实际为 NaN",
	"must be a number, got %s":                                                                                             "必须是数，实际为 %s",
	"must be an integer, got %s":                                                                                           "必须是整数，实际为 %s",
	"must be at least %g, got %g":                                                                                          "必须不小于 %g，实际为 %g",
	"must be at most %g, got %g":                                                                                           "必须不大于 %g，实际为 %g",
	"must be between %g and %g, got %g":                                                                                    "必须在 %g 和 %g 之间，实际为 %g",
	"must be greater than %g, got %g":                                                                                      "必须大于 %g，实际为 %g",
	"must be one of \"alpha\", \"beta\", \"occupancy\", \"gradient\", got %s":                                              "必须是 \"alpha\"、\"beta\"、\"occupancy\"、\"gradient\" 之一，实际为 %s",
	"must be padded (N, S) or concatenated 1-D, got shape %s":                                                              "必须是补齐的 (N, S) 或拼接的 1 维张量，实际形状为 %s",
	"must be true or false, got %s":                                                                                        "必须是 true 或 false，实际为 %s",
	"must have one entry per sample (batch size %d), got shape %s":                                                         "每个样本应有一个元素（批大小 %d），实际形状为 %s",
	"must have shape (T, N, C) or (T, C), got %s":                                                                          "形状必须是 (T, N, C) 或 (T, C)，实际为 %s",
	"must hold integers (PyTorch expects an int64 tensor), got %v":                                                         "必须是整数（PyTorch 要求 int64 张量），实际为 %v",
	"must not be null (expected %s)":                                                                                       "不能为 null（应为 %s）",
	"need %d to %d classes, got %d":                                                                                        "需要 %d 到 %d 个类别，实际为 %d 个",
	"padded targets must have one row per sample (batch size %d), got shape %s":                                            "补齐的 targets 应每个样本一行（批大小 %d），实际形状为 %s",
	"sample %d: input length %v exceeds the %d frames of log_probs":                                                        "样本 %d：输入长度 %v 超过了 log_probs 的 %d 帧",
	"sample %d: input length must be at least 1, got %v":                                                                   "样本 %d：输入长度必须至少为 1，实际为 %v",
	"sample %d: label %d at position %d is the blank; targets must not contain the blank":                                  "样本 %d：位置 %[3]d 上的标签 %[2]d 是空白符；targets 不能包含空白符",
	"sample %d: label %v at position %d is outside [0, %d)":                                                                "样本 %d：位置 %[3]d 上的标签 %[2]v 不在 [0, %[4]d) 内",
	"sample %d: target length %d exceeds the padded width %d":                                                              "样本 %d：目标长度 %d 超过了补齐宽度 %d",
	"sample %d: target length %v exceeds the %d entries of targets":                                                        "样本 %d：目标长度 %v 超过了 targets 的 %d 个元素",
	"sample %d: target length must not be negative, got %v":                                                                "样本 %d：目标长度不能为负，实际为 %v",
	"shape %s broadcasts the input shape %s up to %s; it must not be larger than the input":                                "形状 %s 把输入形状 %s 广播成了 %s；它不能比输入大",
	"shape %s broadcasts with input shape %s to %s, but the output must have the input's shape":                            "形状 %s 与输入形状 %s 广播为 %s，但输出必须与输入形状相同",
	"shape %s does not broadcast with %s shape %s: %v":                                                                     "形状 %s 无法与 %s 的形状 %s 广播：%v",
	"shape %s does not broadcast with %s: %v":                                                                              "形状 %s 无法与 %s 广播：%v",
	"shape %s does not broadcast with input shape %s: %v":                                                                  "形状 %s 无法与输入形状 %s 广播：%v",
	"shape %s does not broadcast with input1 shape %s: %v":                                                                 "形状 %s 无法与 input1 的形状 %s 广播：%v",
	"shape %s does not broadcast with the input shape %s: %v":                                                              "形状 %s 无法与输入形状 %s 广播：%v",
	"shape %s does not broadcast with the inputs' shape %s: %v":                                                            "形状 %s 无法与各输入的形状 %s 广播：%v",
	"shape %s does not fit input shape %s: a 1-D input of C class scores takes a 0-d class index":                          "形状 %s 与输入形状 %s 不匹配：由 C 个类别分数构成的 1 维输入需要 0 维的类别索引",
	"shape %s must broadcast to the input's shape %s":                                                                      "形状 %s 必须能广播到输入的形状 %s",
	"shape %s: a 2-D input (N, C) takes a 1-D target of N class indices (multi-target not supported)":                      "形状 %s：2 维输入 (N, C) 需要由 N 个类别索引构成的 1 维 target（不支持多目标）",
	"size %s differs from the input size %s; BCELoss needs the same size":                                                  "形状 %s 与输入形状 %s 不同；BCELoss 要求二者相同",
	"size %s must be the same as the input size %s":                                                                        "形状 %s 必须与输入形状 %s 相同",
	"target %v is out of bounds (expected a class index in [0, %d) or ignore_index %v)":                                    "target %v 越界（应为 [0, %d) 内的类别索引或 ignore_index %v）",
	"target %v out of range [0, %d)":                                                                                       "target %v 不在 [0, %d) 内",
	"the alignment lattice (Σ input_length·(2·target_length+1)) exceeds %d states":                                         "对齐网格（Σ input_length·(2·target_length+1)）超过了 %d 个状态",
	"the distances to the negative do not broadcast with the anchor–positive distances of shape %s: %v":                    "到 negative 的距离无法与形状为 %s 的 anchor–positive 距离广播：%v",
	"unknown input for %s (it takes %s)":                                                                                   "%s 没有这个输入（它需要 %s）",
	"unknown parameter for %s (it takes %s)":                                                                               "%s 没有这个参数（它接受 %s）",
	"unknown query parameter for %s":                                                                                       "%s 的页面没有这个查询参数",
	"unsupported parameter kind %s":                                                                                        "不支持的参数类型 %s",
	"weight tensor should be defined either for all %d classes or no classes but got weight tensor of shape: %s":           "weight 张量要么为全部 %d 个类别给出，要么不给，但它的形状是：%s",
	"with label smoothing the weight must be a 1-D tensor of length %d, got shape %s":                                      "使用标签平滑时，weight 必须是长度为 %d 的 1 维张量，实际形状为 %s",
}

// EngineMessage returns the message of an engine error whose English
// format is code, in lang, formatted with args; ok is false when lang has
// no translation of code (the caller then shows the English text).
func EngineMessage(lang, code string, args []any) (msg string, ok bool) {
	if Lang(lang) != "zh" || code == "" {
		return "", false
	}
	f, ok := engineZH[code]
	if !ok {
		return "", false
	}
	return fmt.Sprintf(f, args...), true
}

// FieldMessage says a refusal about field (none: "") whose English format
// is code in lang, as "field：message"; ok is false when lang has no
// translation of code. A format that starts with its field ("type: …")
// is not prefixed again.
func FieldMessage(lang, field, code string, args []any) (msg string, ok bool) {
	msg, ok = EngineMessage(lang, code, args)
	if !ok || field == "" || strings.HasPrefix(code, field+": ") {
		return msg, ok
	}
	return field + T(lang, "error.fieldSep") + msg, true
}
