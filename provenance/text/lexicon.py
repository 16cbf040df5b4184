"""Domain lexicons, Chinese and English, written for this project.

Each domain has three tiers of terms separated by `|`: strong terms (weight 2) that rarely
appear outside the domain, normal terms (weight 1), and weak terms (weight 0.5) that only
count alongside others. Latin terms match at word boundaries; `*` marks a stem.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Domain:
    id: str
    #: Chinese and English names, for reports.
    zh: str
    en: str
    #: Whether data of this domain needs a purpose that covers it (the "sensitive" domains).
    sensitive: bool
    strong: str
    normal: str
    weak: str = ""


DOMAINS: tuple[Domain, ...] = (
    Domain(
        "medical",
        "医疗健康",
        "medical and health",
        True,
        strong="病历|诊断|处方|患者|病人|临床|门诊|住院|化疗|医嘱|主治医师|病理|并发症|确诊|手术|"
        "核磁共振|血常规|挂号|急诊|胸片|x光|儿科|pediatrician*|paediatrician*|icu|xray*|diagnos*|"
        "prescription*|prescrib*|patient*|clinical|outpatient|inpatient|chemotherapy|surgery|"
        "surgical|medical record*|pathology|physician*|radiolog*|oncolog*|cardiolog*|symptom*|"
        "comorbid*",
        normal="孕期|孕中期|皮疹|rash|rashes|筛查|出院|入院|复查|药物治疗|降压药|伤口|愈合|生命体征|"
        "体温|病房|医保|挂号费|discharge summary|discharged|admitted|follow-up appointment|"
        "screening|checkup|check-up|ward|wound|pneumonia|migraine*|neurolog*|flu|influenza|virus|"
        "viral|medications|医院|医生|治疗|药物|症状|护士|血压|血糖|糖尿病|高血压|癌症|肿瘤|疫苗|"
        "感染|抗生素|剂量|发烧|发热|咳嗽|心脏病|康复|体检|中医|针灸|孕妇|怀孕|产检|抑郁症|焦虑症|"
        "过敏|哮喘|输液|胰岛素|慢性病|疾病|病毒|药品|医疗|健康|科室|服药|用药|副作用|hospital*|"
        "doctor*|treatment*|medication*|nurse*|blood pressure|diabetes|diabetic|hypertension|"
        "cancer*|tumor*|tumour*|vaccin*|infection*|antibiotic*|dosage|fever|cough*|cardiac|"
        "rehabilitation|pregnan*|depression|asthma|allerg*|insulin|disease*|illness*|medical|"
        "medicine*|clinic|clinics|therap*|mri|ct scan*|x-ray*|health|side effect*|pharmac*|"
        "dementia|stroke",
        weak="血液|检查|疼痛|药|病|blood|pain|dose*|chronic|care|exam*|test results|mg|tablet*|pill*|"
        "heart",
    ),
    Domain(
        "finance",
        "金融",
        "finance",
        True,
        strong="贷款|利率|股票|基金|债券|理财|信用卡|证券|期货|上市公司|财报|净利润|资产负债|央行|"
        "货币政策|市值|股价|分红|信贷|征信|逾期|还款|汇率|银行卡|余额|loan*|mortgage*|"
        "interest rate*|stock market|stocks|equities|bond yield*|bonds|dividend*|inflation|"
        "monetary|central bank|earnings|balance sheet|securities|futures|ipo|market cap*|forex|"
        "exchange rate*|credit card*|credit score*|hedge fund*|portfolio*|brokerage|repayment*|"
        "overdue",
        normal="理赔|重疾险|保费|保单|赔付|转账|电汇|冻结账户|账户冻结|工资|薪资|现金|wire transfer*|"
        "froze the account|premium*|claims|payout*|cash|savings|currency|currencies|"
        "price target*|shares of|银行|投资|收益率|保险|账户|汇款|存款|利息|融资|风控|支付|结算|"
        "会计|审计|营收|通胀|资产|负债|股东|券商|交易所|估值|资金|收益|财务|经济|bank|banks|"
        "banking|invest*|insurance|insurer*|deposit*|revenue*|profit*|liquidity|fintech|payment*|"
        "ledger|accounting|audit*|treasury|yield*|asset*|trading|trader*|broker*|wealth|financ*|"
        "fund|funds|shareholder*|valuation*|capital|economy|economic|quarterly|fiscal|tax*",
        weak="钱|价格|成本|市场|price*|cost*|market*|money|account*|shares|rate*|growth",
    ),
    Domain(
        "legal",
        "法律",
        "legal",
        True,
        strong="法院|法官|律师|诉讼|起诉|被告|原告|判决|裁定|上诉|仲裁|违约|侵权|民法典|刑法|检察院|"
        "辩护|庭审|判处|有期徒刑|罚金|立案|当事人|管辖|律师事务所|司法解释|court|courts|judge*|"
        "lawyer*|attorney*|lawsuit*|litigation|plaintiff*|defendant*|verdict*|arbitration|tort|"
        "torts|prosecut*|jurisdiction|indict*|affidavit*|subpoena*|statute*|counsel|sentenced|"
        "convicted|appellate",
        normal="租赁|出租人|承租人|租客|房东|劳动仲裁|可执行|无效条款|lease|leases|tenant*|landlord*|"
        "enforceable|unenforceable|non-compete|motion|injunction*|guilty|trial|jury|juries|"
        "prison|合同|条款|赔偿|法律|法规|司法|刑事|民事|证据|知识产权|专利|商标|著作权|法定|责任|"
        "纠纷|违法|犯罪|权利|义务|协议|contract*|clause*|breach*|damages|liabilit*|legal|law|"
        "laws|criminal|civil|evidence|testimony|patent*|trademark*|copyright*|settlement*|"
        "legislation|appeal*|ruling*|dispute*|illegal|crime*|rights|obligation*|agreement*",
        weak="规定|申请|依法|provision*|party|parties|terms|claim*",
    ),
    Domain(
        "government",
        "政务",
        "government",
        True,
        strong="国务院|政务|公务员|人大|政协|省委|市委|县委|市政府|县政府|省政府|人民政府|办事大厅|"
        "公积金|户籍|民政|印发|会议精神|领导干部|党委|政府工作报告|行政审批|ministry|ministries|"
        "parliament*|congress*|senate|senator*|federal agency|municipal*|civil servant*|"
        "legislature|governor*|mayor*|prime minister|embassy|public sector|census|state council|"
        "white house|city council",
        normal="护照|签证|外事|passport*|visa*|foreign affairs|政府|部委|政策|行政|财政|预算|公共服务|"
        "审批|社保|通知|文件|部署|选举|议会|部长|总统|总理|外交|税收|机关|街道|社区|惠民|监管|"
        "government*|minister*|federal|council*|public service*|polic*|agency|agencies|"
        "administration|official*|election*|vote*|voter*|president*|diplomat*|permit*|bureau*|"
        "department*|welfare|social security|regulat*|public",
        weak="国家|公共|national|state|citizen*",
    ),
    Domain(
        "news",
        "新闻",
        "news",
        False,
        strong="记者|本报讯|据悉|日电|新华社|据报道|通讯社|快讯|发布会|央视|专访|reporter*|journalist*|"
        "correspondent*|press conference|newsroom|reuters|associated press|breaking news|"
        "spokesperson|spokesman|spokeswoman",
        normal="通讯员|本台|本台消息|台风|转移群众|newspaper|gathered|crowds|officials said|报道|新闻|"
        "消息|采访|头条|媒体|昨日|今日|近日|日前|宣布|表示|news|reported|headline*|interview*|"
        "announced|announcement|broadcast*|editor*|said on|told|according to|on monday|"
        "on tuesday|on wednesday|on thursday|on friday|on saturday|on sunday|yesterday",
        weak="发布|事件|stated|said|event*|latest",
    ),
    Domain(
        "education",
        "教育",
        "education",
        False,
        strong="高考|中考|课程|教学|教材|课堂|教案|讲义|习题|知识点|招生|本科|研究生|学期|curriculum|"
        "syllabus|homework|classroom*|lecture*|undergraduate*|semester*|textbook*|coursework|"
        "enrollment|tutoring",
        normal="公开课|名校|学习平台|入学|transcript*|applicant*|admission*|study plan|review sessions|"
        "学校|学生|老师|教师|考试|作业|学习|大学|学位|培训|辅导|成绩|教育|论文|毕业|校园|同学|"
        "年级|学科|school*|student*|teacher*|course*|lesson*|exam|exams|examination*|tutor*|"
        "universit*|college*|degree*|graduat*|learning|learner*|education*|grading|quiz*|"
        "academic*|professor*|campus",
        weak="知识|练习|learn*|study|studies|practice",
    ),
    Domain(
        "code",
        "代码",
        "code",
        False,
        strong="源码|源代码|编译|调试|报错|函数|变量|编程|数据结构|def|elif|println|printf|stack trace|"
        "traceback|null pointer|segfault|npm|pip install|git commit|pull request|compiler|"
        "refactor*|runtime error|unit test*|async|await|lambda|boolean|const|namespace|#include|"
        "import numpy|public static void|console.log|return;|</div>|=>|!==|===",
        normal="越界|崩溃|程序|断点|调用栈|容器|镜像|开源|crash*|breakpoint*|container*|docker|"
        "kubernetes|open source|open-source|makefile|virtual environment|pipeline*|linter|"
        "handler*|代码|接口|算法|数组|字符串|循环|框架|服务器|数据库|前端|后端|依赖|仓库|分支|"
        "提交|部署|脚本|function*|variable*|compil*|debug*|api|apis|algorithm*|array*|loop*|"
        "framework*|deploy*|server*|database*|sql|frontend|backend|repositor*|commit*|branch*|"
        "git|github|python|javascript|typescript|java|rust|golang|c++|json|http|exception*|null|"
        "string*|integer*|int|float|class|struct|return|import|script*|library|libraries|code|"
        "coding|programming|programmer*|developer*|bug|bugs|query|queries",
        weak="数据|版本|data|version*|file*|module*|run",
    ),
    Domain(
        "design_manufacturing",
        "设计与制造",
        "design and manufacturing",
        False,
        strong="产品设计|工业设计|外观设计|注塑|模具|公差|数控|机床|钣金|打样|样机|量产|良品率|三维建模|"
        "结构设计|人机工程|渲染图|草图|原型|图纸|装配|industrial design|product design|prototyp*|"
        "cad|injection mold*|injection mould*|tolerance*|cnc|machining|sheet metal|ergonomic*|"
        "mass production|assembly line|solidworks|3d print*|form factor|mockup*|wireframe*|"
        "die casting",
        normal="一体成型|阳极氧化|喷砂|外壳|表面处理|试产|试模|anodiz*|form factors|handheld|finish|"
        "powder coat*|snap fit*|设计|外观|建模|3d|渲染|材料|铝合金|零件|部件|生产线|制造|工艺|"
        "加工|焊接|尺寸|用户体验|配色|造型|供应链|质检|曲面|结构|工厂|产品|厂商|design*|sketch*|"
        "render*|mold|molds|mould|moulds|assembly|component*|manufactur*|welding|fabricat*|"
        "aluminum|aluminium|material*|specification*|blueprint*|dimension*|supply chain|factory|"
        "factories|enclosure*|housing|user experience|ux|ui|prototype|plastic*|steel|product*",
        weak="颜色|形状|功能|color*|colour*|shape*|surface*|texture*|layout*",
    ),
    Domain(
        "entertainment",
        "娱乐",
        "entertainment",
        False,
        strong="电视剧|综艺|票房|演唱会|动漫|追剧|首映|上映|剧集|影评|男主角|女主角|box office|anime|"
        "sitcom|soundtrack*|premiere*|esports|concert*|blockbuster*|box-office|episode*|"
        "hollywood",
        normal="电竞|比赛直播|观众|chart|charts|single|lead single|fireworks|电影|明星|演员|导演|音乐|"
        "歌手|专辑|游戏|玩家|剧情|主角|粉丝|娱乐|偶像|彩蛋|网红|直播|综艺节目|歌曲|乐队|角色|"
        "movie*|film|films|actor*|actress*|director*|music|musician*|singer*|album*|game|games|"
        "gaming|gamer*|celebrit*|fans|streaming|trailer*|series|tv show*|comedy|drama|band|"
        "playlist*|song*|plot|character*|season",
        weak="好看|精彩|fun|show*|star*|play*",
    ),
    Domain(
        "adult",
        "成人内容",
        "adult content",
        True,
        strong="性描写|无码|裸聊|成人内容|成人影片|成人电影|限制级|激情视频|explicit content|"
        "sexual content|sexually explicit|adult only|adults only|18+|色情|裸体|性爱|性交|情色|"
        "黄色网站|约炮|援交|成人视频|一夜情|嫖娼|卖淫|性服务|裸照|成人网站|porn*|nsfw|nude|nudes|"
        "nudity|erotic*|xxx|adult content|adult video*|escort service*|hookup*|fetish*|onlyfans|"
        "strip club*|camgirl*|orgasm*|intercourse|prostitut*|explicit sex*|sex video*|sexting",
        normal="成人|露骨|性感|激情|床戏|sex|sexual|sexy|explicit|naked|lingerie|seduc*|aroused",
        weak="身体|诱惑|body|bodies|hot",
    ),
    Domain(
        "children",
        "儿童",
        "children",
        True,
        strong="儿童|小朋友|幼儿|幼儿园|小学生|未成年|少儿|亲子|育儿|婴儿|童话|绘本|儿歌|早教|学龄前|"
        "宝宝|托班|children's|kindergarten*|preschool*|toddler*|infant*|parenting|pediatric*|"
        "paediatric*|bedtime stor*|fairy tale*|daycare|nursery|minors|schoolchild*",
        normal="孩子|小孩|家长|玩具|奶粉|童年|少年|男孩|女孩|child|children|kid|kids|baby|babies|"
        "parent*|minor|juvenile*|youth|toy|toys|playground*|teen*|boy|boys|girl|girls",
        weak="妈妈|爸爸|学校|mom|mum|dad|family|families",
    ),
)

DOMAIN_IDS: tuple[str, ...] = tuple(d.id for d in DOMAINS)
DOMAIN_BY_ID: dict[str, Domain] = {d.id: d for d in DOMAINS}
SENSITIVE_DOMAINS: frozenset[str] = frozenset(d.id for d in DOMAINS if d.sensitive)

#: Names a user may write in a declarations file's domain list, in Chinese or English.
DOMAIN_ALIASES: dict[str, str] = {
    "medical": "medical", "medicine": "medical", "health": "medical", "healthcare": "medical",
    "医疗": "medical", "医疗健康": "medical", "医学": "medical", "健康": "medical",
    "finance": "finance", "financial": "finance", "banking": "finance", "金融": "finance",
    "财经": "finance", "legal": "legal", "law": "legal", "法律": "legal", "司法": "legal",
    "government": "government", "政务": "government", "政府": "government",
    "news": "news", "新闻": "news", "education": "education", "教育": "education",
    "code": "code", "programming": "code", "software": "code", "代码": "code", "编程": "code",
    "design": "design_manufacturing", "manufacturing": "design_manufacturing",
    "design_manufacturing": "design_manufacturing", "设计": "design_manufacturing",
    "制造": "design_manufacturing", "工业设计": "design_manufacturing",
    "entertainment": "entertainment", "娱乐": "entertainment", "adult": "adult",
    "成人": "adult", "children": "children", "child": "children", "kids": "children",
    "儿童": "children", "少儿": "children",
}

#: Domains a purpose in one domain also legitimately covers (news reports on government, ...).
RELATED_DOMAINS: dict[str, frozenset[str]] = {
    "news": frozenset({"government", "finance", "legal"}),
    "legal": frozenset({"government"}),
    "government": frozenset({"legal"}),
    "education": frozenset({"children"}),
    "children": frozenset({"education", "entertainment"}),
}

#: Phrases that mark a general-purpose service: every domain but adult content is relevant.
GENERAL_PURPOSE_TERMS = (
    "通用|通用型|开放域|综合性|百科|聊天机器人|闲聊|基础模型|基座模型|general-purpose|general purpose|"
    "open-domain|open domain|general assistant|all-purpose|chatbot|foundation model|base model"
)
