package engine

// Chinese of every metadata text a page shows: summaries, parameter and
// input docs, family names. The table is keyed by the English text itself,
// so that editing an English text without its translation fails
// TestChineseTextsComplete instead of leaving a stale Chinese line behind.
// Technical names (reduction, ignore_index, class names, code) stay as
// PyTorch spells them.

// Languages the metadata texts come in; the first is the fallback.
var Languages = []string{"en", "zh"}

// In returns the text in lang: the English itself for "en" (or an unknown
// language), the Chinese from the table for "zh", or the English when the
// table has no entry (TestChineseTextsComplete keeps that from happening).
func In(lang, english string) string {
	if lang == "zh" {
		if t, ok := chinese[english]; ok {
			return t
		}
	}
	return english
}

// SummaryIn returns the loss's summary in lang.
func (s *Spec) SummaryIn(lang string) string { return In(lang, s.Summary) }

// DocIn returns the parameter's help text in lang.
func (p *Param) DocIn(lang string) string { return In(lang, p.Doc) }

// DocIn returns the input's help text in lang.
func (in *InputSpec) DocIn(lang string) string { return In(lang, in.Doc) }

// Label returns the family's name in lang.
func (f Family) Label(lang string) string { return In(lang, string(f)) }

// reductionDocZh is the Chinese of ReductionParam's doc, shared by most losses.
const reductionDocZh = "逐元素损失如何合成结果（reduction，归约方式）：'none' 原样保留，'sum' 求和，'mean' 取平均。"

var chinese = map[string]string{
	// Families.
	string(FamilyRegression):     "回归",
	string(FamilyProbabilistic):  "概率分布",
	string(FamilyClassification): "分类",
	string(FamilyMargin):         "间隔与排序",
	string(FamilyEmbedding):      "嵌入",
	string(FamilySequence):       "序列",

	// Shared parameter and input docs.
	"How per-element losses become the result: 'none' keeps them, 'sum' adds them, 'mean' averages them.":  reductionDocZh,
	"Deprecated. If set (with reduce), overrides reduction: size_average=False sums instead of averaging.": "已弃用。若设置（与 reduce 一起）则覆盖 reduction：size_average=False 表示求和而非取平均。",
	"Deprecated. If set, overrides reduction: reduce=False returns the per-element losses.":                "已弃用。若设置则覆盖 reduction：reduce=False 返回逐元素损失。",
	"Predictions, any shape.":                      "预测值，形状任意。",
	"Targets, broadcastable to the input's shape.": "目标值，可广播到 input 的形状。",
	"Optional rescaling weight per element, broadcast to the input's shape (a vector weighs each column).":                         "可选的逐元素缩放权重，广播到 input 的形状（一个向量按列加权）。",
	"Targets, usually 0 or 1 (probabilities are accepted), of the input's exact shape.":                                            "目标值，通常为 0 或 1（也接受概率），形状须与 input 完全相同。",
	"A target value that is skipped: it adds nothing to the loss, the mean's denominator or the gradient. It may be a real class.": "被跳过的目标值：它对损失、'mean' 的分母和梯度都没有贡献。它可以是一个真实存在的类别。",
	"Distance swap: use the positive–negative distance instead when it is smaller than the anchor–negative one.":                   "距离交换（swap）：当正样本与负样本的距离小于锚点与负样本的距离时，改用前者。",
	"Anchor embeddings, (N, D) or (D).":                                                "锚点（anchor）嵌入，形状 (N, D) 或 (D)。",
	"Embeddings of the same kind as each anchor, broadcastable to the anchor's shape.": "与各锚点同类的嵌入（正样本），可广播到 anchor 的形状。",
	"Embeddings of a different kind, broadcastable to the anchor's shape.":             "与锚点不同类的嵌入（负样本），可广播到 anchor 的形状。",

	// HuberLoss.
	"Squared error for misses smaller than delta and a straight line beyond it, so outliers pull with a constant force instead of a growing one.": "误差小于 delta 时取平方误差，超过后变为直线，因此离群点的拉力恒定，不会越拉越大。",
	"Where the quadratic part hands over to the linear part, and the slope of the linear part.":                                                   "二次段与线性段的分界点，同时也是线性段的斜率。",

	// L1Loss.
	"Mean absolute error: every unit of error costs the same, so outliers pull no harder than small misses.": "平均绝对误差：每一单位误差的代价相同，所以离群点的拉力并不比小误差更大。",

	// MSELoss.
	"Mean squared error: the cost grows with the square of the miss, so large errors dominate.": "均方误差：代价随误差的平方增长，因此大误差占主导。",

	// SmoothL1Loss.
	"Squared error for small misses and absolute error for large ones, so it is gentle near the target but not thrown off by outliers.": "小误差取平方误差，大误差取绝对误差：在目标附近平缓，又不会被离群点带偏。",
	"Where the quadratic part hands over to the linear part; 0 makes it exactly L1 in value.":                                           "二次段与线性段的分界点；取 0 时数值上恰好等于 L1。",

	// GaussianNLLLoss.
	"Negative log-likelihood of the target under a normal distribution whose mean and variance the model predicts, so it can say how unsure it is.": "目标值在正态分布下的负对数似然，分布的均值和方差都由模型预测，因此模型可以表达自己有多不确定。",
	"Add the constant ½·log(2π), giving the exact Gaussian negative log-likelihood.":                                                                "加上常数 ½·log(2π)，得到完整的高斯负对数似然。",
	"Variances below eps are raised to eps in the loss (the gradient ignores this clamp).":                                                          "损失中小于 eps 的方差被提升到 eps（梯度忽略这次截断）。",
	"Predicted means, shape (N, *) or (*).":                "预测的均值，形状 (N, *) 或 (*)。",
	"Observed values, broadcastable to the input's shape.": "观测值，可广播到 input 的形状。",
	"Predicted variances, ≥ 0: the input's shape, or that shape without its last dimension (one variance per row), or with the last dimension 1.": "预测的方差，≥ 0：形状与 input 相同，或去掉最后一维（每行一个方差），或最后一维为 1。",

	// KLDivLoss.
	"Kullback-Leibler divergence: how much information is lost when the predicted distribution (given as log-probabilities) stands in for the target distribution.":          "KL 散度（Kullback-Leibler divergence）：用预测分布（以对数概率给出）代替目标分布时损失了多少信息。",
	"How per-element terms become the result: 'batchmean' sums and divides by the batch size (the true KL divergence per sample), 'mean' divides by the number of elements.": "逐元素项如何合成结果（reduction，归约方式）：'batchmean' 求和后除以批大小（每个样本真正的 KL 散度），'mean' 除以元素个数。",
	"If true the target is given as log-probabilities, like the input.":                                                                                                      "为 true 时，target 与 input 一样以对数概率给出。",
	"Predicted log-probabilities, any shape (usually (N, C), from log_softmax).":                                                                                             "预测的对数概率，形状任意（通常为 (N, C)，来自 log_softmax）。",
	"Target probabilities (log-probabilities if log_target), broadcastable to the input's shape.":                                                                            "目标概率（log_target 时为对数概率），可广播到 input 的形状。",

	// PoissonNLLLoss.
	"Negative log-likelihood of observed counts under a Poisson distribution whose rate the model predicts (as a log-rate by default).": "观测计数在泊松分布下的负对数似然，速率由模型预测（默认以对数速率给出）。",
	"If true the input is the log of the rate, exp(input) is the rate; if false the input is the rate itself.":                          "为 true 时 input 是速率的对数，exp(input) 才是速率；为 false 时 input 就是速率本身。",
	"Add the Stirling approximation of log(y!), only where the target is greater than 1.":                                               "加上 log(y!) 的斯特林近似，仅在目标大于 1 处。",
	"Added to the rate inside the log when log_input is false, so a zero rate gives a finite loss.":                                     "log_input 为 false 时加在对数内的速率上，使速率为零时损失仍然有限。",
	"Predicted log-rates (or rates if log_input is false), any shape.":                                                                  "预测的对数速率（log_input 为 false 时为速率），形状任意。",
	"Observed counts, broadcastable to the input's shape.":                                                                              "观测到的计数，可广播到 input 的形状。",

	// BCELoss.
	"Binary cross-entropy between predicted probabilities and targets: the cost of saying p when the answer is 1 is −log p, and −log(1 − p) when it is 0.": "预测概率与目标之间的二元交叉熵：答案为 1 时预测 p 的代价是 −log p，答案为 0 时是 −log(1 − p)。",
	"Predicted probabilities in [0, 1], any shape.": "预测概率，取值于 [0, 1]，形状任意。",

	// BCEWithLogitsLoss.
	"Binary cross-entropy on raw scores: a sigmoid and BCE in one numerically stable step, with an optional extra weight on the positive class.":         "作用于原始分数的二元交叉熵：把 sigmoid 与 BCE 合成数值稳定的一步，并可给正类额外加权。",
	"Optional weight p_c of the positive term for class c, broadcast along the last dimension (the class dimension); p_c > 1 favours recall of class c.": "可选的正类项权重 p_c（每个类别 c 一个），沿最后一维（类别维）广播；p_c > 1 偏向提高类别 c 的召回率。",
	"Raw scores (logits), any shape; σ(input) is the predicted probability.":                                                                             "原始分数（logits），形状任意；σ(input) 是预测概率。",

	// CrossEntropyLoss.
	"Softmax turns raw scores into probabilities; the loss is minus the log-probability of the true class (or the cross-entropy with a target distribution).":                                  "softmax 把原始分数变成概率；损失是真实类别对数概率的相反数（或与目标分布之间的交叉熵）。",
	"Optional rescaling weight per class, a 1-D tensor of length C. With class indices the mean divides by the weights of the counted targets; with probabilities by the number of positions.": "可选的逐类别缩放权重，长度为 C 的一维张量。目标为类别索引时，'mean' 除以计入的目标的权重之和；目标为概率时，除以位置个数。",
	"ε: the target becomes (1 − ε)·target + ε/C. Above 1 is an error; below 0 silently means no smoothing.":                                                                                    "ε：目标变为 (1 − ε)·target + ε/C。大于 1 会报错；小于 0 则不报错，相当于不做平滑。",
	"Unnormalised logits, shape (C), (N, C) or (N, C, d1, …, dK); the class dimension is dim 1 (dim 0 for a 1-D input).":                                                                       "未归一化的 logits，形状 (C)、(N, C) 或 (N, C, d1, …, dK)；类别维是第 1 维（一维 input 时为第 0 维）。",
	"Class indices in [0, C) or ignore_index, shape (), (N) or (N, d1, …, dK); or, with exactly the input's shape, class probabilities.":                                                       "类别索引，取值于 [0, C) 或等于 ignore_index，形状 ()、(N) 或 (N, d1, …, dK)；或者形状与 input 完全相同的类别概率。",

	// MultiLabelSoftMarginLoss.
	"Each class is its own yes/no question: a logistic loss per class, averaged over the classes.":                                    "每个类别都是一道独立的是非题：每类一个逻辑斯谛损失，再对类别取平均。",
	"Optional rescaling weight per class, broadcast against the input (normally length C); the per-sample sum is still divided by C.": "可选的逐类别缩放权重，与 input 广播（通常长度为 C）；每个样本的和仍除以 C。",
	"Logits, shape (C) or (N, C) (or (N, …, C)): the class dimension is the last.":                                                    "logits，形状 (C) 或 (N, C)（或 (N, …, C)）：类别维是最后一维。",
	"Labels, normally 0 or 1 per class (any real value is used as given), broadcastable to the input's shape.":                        "标签，通常每类为 0 或 1（任何实数都按原值使用），可广播到 input 的形状。",

	// NLLLoss.
	"Negative log-likelihood: minus the log-probability the model gave the true class, so a confident wrong answer costs most.": "负对数似然：模型给真实类别的对数概率取相反数，因此自信地答错代价最大。",
	"Optional rescaling weight per class, a 1-D tensor of length C; the mean divides by the weights of the counted targets.":    "可选的逐类别缩放权重，长度为 C 的一维张量；'mean' 除以计入的目标的权重之和。",
	"Log-probabilities, shape (C), (N, C) or (N, C, d1, …, dK); used as given (not normalised).":                                "对数概率，形状 (C)、(N, C) 或 (N, C, d1, …, dK)；按原值使用（不做归一化）。",
	"Class indices in [0, C) or ignore_index, shape (), (N) or (N, d1, …, dK).":                                                 "类别索引，取值于 [0, C) 或等于 ignore_index，形状 ()、(N) 或 (N, d1, …, dK)。",

	// HingeEmbeddingLoss.
	"For a distance x: similar pairs (y = 1) pay the distance itself, dissimilar pairs (y = −1) pay only while closer than the margin.": "对距离 x：相似对（y = 1）的损失就是距离本身，不相似对（y = −1）只在距离小于间隔（margin）时才计入损失。",
	"Dissimilar pairs closer than this pay the difference (PyTorch accepts any value, negative too).":                                   "距离小于此值的不相似对，以差值计为损失（PyTorch 接受任意值，负数也可以）。",
	"Distances (usually non-negative), any shape.":                                                                                      "距离（通常非负），形状任意。",
	"1 for similar and −1 for dissimilar pairs, broadcastable with input; any other value adds both branches.":                          "相似对为 1，不相似对为 −1，可与 input 广播；其他取值会把两个分支都加上。",

	// MarginRankingLoss.
	"Learns to rank: when y = 1 the first score should beat the second by the margin, when y = −1 the other way round.": "学习排序：y = 1 时第一个分数应比第二个高出至少一个间隔（margin），y = −1 时反过来。",
	"How far the better-ranked score must lead before the loss is 0.":                                                   "排名靠前的分数要领先多少，损失才变为 0。",
	"First scores, (N) or (); same number of dimensions as input2 and target.":                                          "第一组分数，形状 (N) 或 ()；维数与 input2 和 target 相同。",
	"Second scores, broadcastable with input1.":                                                                         "第二组分数，可与 input1 广播。",
	"1 where input1 should rank higher, −1 where input2 should (other values scale the hinge).":                         "input1 应排在前面处为 1，input2 应排在前面处为 −1（其他取值会缩放合页项）。",

	// MultiLabelMarginLoss.
	"Multi-label hinge loss: every true label must out-score every other class by a margin of 1.": "多标签合页损失（hinge loss）：每个真实标签的分数都要比其他每个类别高出至少 1 的间隔。",
	"Class scores, shape (C) or (N, C).": "类别分数，形状 (C) 或 (N, C)。",
	"The input's shape; each row lists its label ids in [0, C), ended by the first −1. Entries after it are ignored (but must lie in [−1, C)); duplicates count twice.": "形状与 input 相同；每行列出其标签编号（取值于 [0, C)），以第一个 −1 结束。之后的条目被忽略（但必须位于 [−1, C)）；重复的标签计两次。",

	// MultiMarginLoss.
	"Multi-class hinge (SVM) loss: every wrong class scoring within a margin of the true class adds a penalty.":           "多类合页（SVM）损失：每个错误类别的分数只要进入真实类别的间隔之内，就会产生惩罚。",
	"The power of each hinge term: 1 (linear) or 2 (squared); PyTorch supports nothing else.":                             "每个合页项的幂次：1（线性）或 2（平方）；PyTorch 不支持其他取值。",
	"How far the true class must out-score every other class before the penalty vanishes.":                                "真实类别的分数要比其他每个类别高出多少，惩罚才消失。",
	"Optional weight per class, a 1-D tensor of length C; a sample's terms are scaled by the weight of its target class.": "可选的逐类别权重，长度为 C 的一维张量；一个样本的各项乘以其目标类别的权重。",
	"Class scores, shape (N, C) or (C).":                         "类别分数，形状 (N, C) 或 (C)。",
	"Class indices in [0, C), shape (N), or () for a 1-D input.": "类别索引，取值于 [0, C)，形状 (N)；一维 input 时为 ()。",

	// SoftMarginLoss.
	"Logistic loss for ±1 labels: a smooth hinge that keeps rewarding a more confident correct sign, ever more gently.": "用于 ±1 标签的逻辑斯谛损失：一个平滑的合页，对更自信的正确符号始终给予奖励，只是越来越温和。",
	"Scores, any shape.": "分数，形状任意。",
	"Labels ±1 (other values are used as they are), broadcastable to the input's shape.": "标签 ±1（其他取值按原值使用），可广播到 input 的形状。",

	// CosineEmbeddingLoss.
	"Makes the angle between two embeddings small for similar pairs (y = 1) and pushes dissimilar pairs (y = −1) below a cosine margin.": "让相似对（y = 1）的两个嵌入夹角变小，并把不相似对（y = −1）的余弦压到间隔（margin）以下。",
	"Dissimilar pairs pay while their cosine exceeds this (−1 to 1; 0 to 0.5 suggested).":                                                "不相似对的余弦超过此值时计入损失（取值 −1 到 1；建议 0 到 0.5）。",
	"First embeddings, (N, D), or (D) with a 0-d target.":                                                                                "第一组嵌入，形状 (N, D)；target 为 0 维时为 (D)。",
	"Second embeddings, broadcastable with input1.":                                                                                      "第二组嵌入，可与 input1 广播。",
	"1 for similar and −1 for dissimilar pairs, (N) or (); any other value gives a loss of 0.":                                           "相似对为 1，不相似对为 −1，形状 (N) 或 ()；其他取值的损失为 0。",

	// TripletMarginLoss.
	"Pulls an anchor closer to a positive example than to a negative one, by at least a margin, measuring with the p-norm distance.": "用 p 范数距离衡量，把锚点拉得离正样本比离负样本更近，且至少近一个间隔（margin）。",
	"How much farther the negative must be than the positive before the loss is 0.":                                                  "负样本要比正样本远多少，损失才变为 0。",
	"The norm degree of the distance: 1 is Manhattan, 2 Euclidean, \"Infinity\" the largest coordinate gap.":                         "距离的范数阶数：1 为曼哈顿距离，2 为欧氏距离，\"Infinity\" 为最大的坐标差。",
	"Added to every coordinate of the difference before the norm, which keeps the gradient finite at equal points.":                  "在求范数前加到差向量的每个坐标上，使两点重合时梯度仍然有限。",

	// TripletMarginWithDistanceLoss.
	"The triplet loss with a choice of distance: the anchor must be closer to the positive than to the negative by a margin, in Euclidean or cosine distance.": "可选距离的三元组损失：在欧氏距离或余弦距离下，锚点到正样本要比到负样本近至少一个间隔（margin）。",
	"The distance: \"pairwise\" is PyTorch's default ‖u − v + 1e-6‖₂; \"cosine\" is 1 − cosine_similarity(u, v) over dimension 1.":                             "距离函数：\"pairwise\" 是 PyTorch 的默认值 ‖u − v + 1e-6‖₂；\"cosine\" 是在第 1 维上计算的 1 − cosine_similarity(u, v)。",
	"How much farther the negative must be than the positive before the loss is 0 (PyTorch 1.13 accepts any value).":                                           "负样本要比正样本远多少，损失才变为 0（PyTorch 1.13 接受任意值）。",

	// CTCLoss.
	"Connectionist temporal classification: the negative log of the total probability of every frame-by-frame alignment (with blanks and repeats) that collapses to the target sequence.": "连接时序分类（CTC）：所有能折叠成目标序列的逐帧对齐（含空白符与重复）的总概率，取负对数。",
	"Class index of the blank symbol; must be in [0, C) and must not occur in the targets.":                                                                                               "空白符（blank）的类别索引；必须在 [0, C) 内，且不能出现在目标中。",
	"'none' keeps the per-sample losses, 'sum' adds them, 'mean' divides each by its target length (at least 1) and averages over the batch.":                                             "（reduction，归约方式）'none' 保留逐样本损失，'sum' 求和，'mean' 把每个样本的损失除以其目标长度（至少为 1）再对批取平均。",
	"Replace infinite losses (impossible alignments) and their gradients by zero.":                                                                                                        "把无穷大的损失（不可能的对齐）及其梯度替换为零。",
	"Log-probabilities (T, N, C), or (T, C) unbatched, normally log_softmax output; C counts the blank. Used as given, never renormalised.":                                               "对数概率，形状 (T, N, C)，无批次时为 (T, C)，通常是 log_softmax 的输出；C 包含空白符。按原值使用，不会重新归一化。",
	"Label sequences: padded (N, S) with row b's labels in its first L_b entries, or all concatenated (ΣL_b); (S) with S = L unbatched.":                                                  "标签序列：补齐的 (N, S)，第 b 行的标签位于前 L_b 项；或全部拼接为 (ΣL_b)；无批次时为 (S)，S = L。",
	"Frames used per sample, T_b in [1, T]: shape (N), or () unbatched.":                                                                                                                  "每个样本使用的帧数 T_b，取值于 [1, T]：形状 (N)，无批次时为 ()。",
	"Target length per sample, L_b ≥ 0: shape (N), or () unbatched.":                                                                                                                      "每个样本的目标长度 L_b ≥ 0：形状 (N)，无批次时为 ()。",
}
