package i18n

// classErrorsZH says the refusals of classes (web/class and the socket's
// class join, built with class.Errorf) and of the socket's compute
// messages in Chinese, keyed by their English format as engineZH is, and
// merged into it: TestEngineMessages checks these formats with the
// engine's.
var classErrorsZH = map[string]string{
	"%s":                           "%s",
	"%s is not one of the choices": "%s 不是选项之一",
	"%s is the teacher's message; students cannot send it":      "%s 是教师的消息，学生不能发送",
	"%s: join a class first (class_join or class_teach)":        "%s：请先加入课堂（class_join 或 class_teach）",
	"a class asks at most %d questions":                         "一个课堂最多提 %d 个问题",
	"a class removes at most %d students":                       "一个课堂最多移出 %d 名学生",
	"a finite number is required":                               "需要一个有限的数",
	"a loss page is driven with loss, params and inputs":        "损失函数页面要用 loss、params 和 inputs 来驱动",
	"a plan id or a plan object, got %s":                        "应为教案 id 或教案对象，实际为 %s",
	"a snapshot is at most %d bytes, got %d":                    "快照最多 %d 字节，实际为 %d 字节",
	"at most %d bytes, got %d":                                  "最多 %d 字节，实际为 %d 字节",
	"at most 64 bytes":                                          "最多 64 字节",
	"class: internal error":                                     "课堂：内部错误",
	"expected %s, got %s":                                       "应为 %s，实际为 %s",
	"lesson %s has no question %s":                              "课程 %s 没有问题 %s",
	"message: %s":                                               "消息：%s",
	"message: %v":                                               "消息：%v",
	"missing (a PyTorch class name such as MSELoss)":            "缺失（应为 PyTorch 类名，例如 MSELoss）",
	"missing (the six-character class code)":                    "缺失（应为六个字符的课堂代码）",
	"missing (the step's index, from 0)":                        "缺失（应为步骤的序号，从 0 开始）",
	"missing (the teacher token POST /api/v1/classes returned)": "缺失（应为 POST /api/v1/classes 返回的教师令牌）",
	"missing or longer than 64 bytes (the roster's student_id)": "缺失或超过 64 字节（应为名单中的 student_id）",
	"must be -1 (above the lesson) to %d, got %d":               "必须在 -1（课程上方）到 %d 之间，实际为 %d",
	"must be \"follow\", \"explore\" or \"pause\", got %s":      "必须是 \"follow\"、\"explore\" 或 \"pause\"，实际为 %s",
	"must be \"lesson\" or \"number\", got %s":                  "必须是 \"lesson\" 或 \"number\"，实际为 %s",
	"no lesson for loss %s":                                     "损失函数 %s 没有课程",
	"no loss named %s":                                          "没有名为 %s 的损失函数",
	"no plan %s (GET /api/v1/plans lists them)":                 "没有教案 %s（GET /api/v1/plans 列出全部教案）",
	"no plan: send class_plan first":                            "还没有教案：请先发送 class_plan",
	"no question is open":                                       "当前没有进行中的问题",
	"no question to reveal":                                     "没有可以公布答案的问题",
	"no snapshot %s (the list keeps the last %d)":               "没有快照 %s（列表只保留最近 %d 个）",
	"no snapshots yet":                                          "还没有快照",
	"not a query string: %v":                                    "不是查询字符串：%v",
	"not a resume token of class %s":                            "不是课堂 %s 的恢复令牌",
	"not the current question":                                  "不是当前的问题",
	"question %s of %s cannot be answered: %v":                  "%[2]s 的问题 %[1]s 无法作答：%[3]v",
	"snapshots go from students to the teacher":                 "快照只能由学生发给教师",
	"the class has no state yet: change something on the page before asking what the loss will be":                                 "课堂还没有状态：先在页面上改动一下，再提问损失会是多少",
	"the class's loss is %s, and a numeric poll needs a finite number":                                                             "课堂当前的损失是 %s，数值投票需要一个有限的数",
	"the class's loss is a tensor (reduction 'none'), and a numeric poll needs one number: set reduction to 'mean' or 'sum' first": "课堂当前的损失是张量（reduction 为 'none'），数值投票需要一个数：请先把 reduction 设为 'mean' 或 'sum'",
	"the plan has %d steps: must be -1 to %d, got %d":                                                                              "教案共有 %d 步：必须在 -1 到 %d 之间，实际为 %d",
	"the plan has %d steps: must be 0 to %d, got %d":                                                                               "教案共有 %d 步：必须在 0 到 %d 之间，实际为 %d",
	"the server's class store is full (%d bytes more do not fit); try again later or use smaller inputs":                           "服务器的课堂存储已满（放不下另外 %d 字节）；请稍后再试，或使用更小的输入",
	"the teacher does not answer the class's questions":                                                                            "教师不回答课堂的问题",
	"the teacher removed you from class %s":                                                                                        "教师已把你移出课堂 %s",
	"this class has ended":                                                                                                         "这个课堂已经结束",
	"this class is full (%d students)":                                                                                             "这个课堂已满（%d 名学生）",
	"this question has all the answers it can take (%d)":                                                                           "这个问题收到的回答已达上限（%d 个）",
	"this question's answer has been revealed":                                                                                     "这个问题的答案已经公布",
	"this server cannot show pages other than loss pages":                                                                          "此服务器只能显示损失函数页面",
	"this server cannot show plan pages":                                                                                           "此服务器不能显示教案页面",
	"this socket is in class %s already; send class_leave first":                                                                   "此连接已在课堂 %s 中；请先发送 class_leave",
	"this state is %d bytes, and the class's store budget is %d bytes; use smaller inputs or turn detail off":                      "此状态有 %d 字节，而课堂的存储预算是 %d 字节；请使用更小的输入，或关闭 detail",
	"this state is %d bytes, more than the %d a class can share; use smaller inputs":                                               "此状态有 %d 字节，超过了课堂可共享的 %d 字节；请使用更小的输入",
	"too many class messages; slow down":                                                                                           "课堂消息过多；请放慢速度",
	"unknown class message type %s":                                                                                                "未知的课堂消息类型 %s",
	"missing (expected \"regression\", \"classification\" or \"margin\")":                                                          "缺失（应为 \"regression\"、\"classification\" 或 \"margin\"）",
	"unknown comparison page %s (expected \"regression\", \"classification\" or \"margin\")":                                       "未知的对比页面 %s（应为 \"regression\"、\"classification\" 或 \"margin\"）",
	"longer than 256 KiB":        "超过 256 KiB",
	"not a URL query string: %v": "不是 URL 查询字符串：%v",
	"missing (expected \"compute\", \"fit\", \"compare\", \"compose\" or \"ping\")":                 "缺失（应为 \"compute\"、\"fit\"、\"compare\"、\"compose\" 或 \"ping\"）",
	"unknown message type %s (expected \"compute\", \"fit\", \"compare\", \"compose\" or \"ping\")": "未知的消息类型 %s（应为 \"compute\"、\"fit\"、\"compare\"、\"compose\" 或 \"ping\"）",
	"unknown loss %s (GET /api/v1/losses lists them)":                                               "未知的损失函数 %s（GET /api/v1/losses 列出全部）",
}

func init() {
	for k, v := range classErrorsZH {
		engineZH[k] = v
	}
}
