// A scanner for personal identifiers in text: broadcast events and log lines must hold none.
// Patterns are bounded by non-alphanumerics so that digits inside ids, hashes and timestamps
// (UUIDv7s, SHA-256 hex, epoch milliseconds) are not mistaken for a phone or an ID-card number.

export interface Finding {
  readonly kind: "name" | "phone" | "id-card" | "plate" | "known value";
  readonly match: string;
}

// Nor the digits of a decimal fraction: a log's "durationMs":0.15312345678 is no phone number.
const edge = "(?<![0-9A-Za-z]|\\d\\.)";
const end = "(?![0-9A-Za-z]|\\.\\d)";

/** Chinese mobile numbers, bare or with +86 / 86 and spaces or dashes: 13812345678, +86 138 1234 5678. */
const PHONE = new RegExp(`${edge}(?:\\+?86[ -]?)?1[3-9]\\d(?:[ -]?\\d{4}){2}${end}`, "g");

/** 18-digit resident ID: region, birth date (1900–2099), sequence, check character. */
const ID_CARD = new RegExp(
  `${edge}[1-9]\\d{5}(?:19|20)\\d{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\\d|3[01])\\d{3}[\\dXx]${end}`,
  "g",
);

/** A plate in clear: province abbreviation, issuing letter, optional dot, five (six: new energy) characters. */
const PLATE = new RegExp(
  `[京津沪渝冀豫云辽黑湘皖鲁新苏浙赣鄂桂甘晋蒙陕吉闽贵粤青藏川宁琼][A-HJ-NP-Z][·•. ]?[A-HJ-NP-Z0-9]{5,6}${end}`,
  "g",
);

const SURNAMES =
  "张王李赵刘陈杨黄吴周徐孙马朱胡郭何林高罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦方白邹孟熊秦邱江尹薛段雷侯龙史陶黎贺顾毛郝龚邵万钱严武戴莫孔汤";
/** Names written as names: after a label (姓名：张三, "name":"李四"), or a surname with 先生/女士. */
const NAMES = [
  /(?:姓名|联系人|患者|name)["']?\s*[:：=]\s*["']?([\u4e00-\u9fa5·]{2,5})/gi,
  new RegExp(`[${SURNAMES}][\\u4e00-\\u9fa5]?(?:先生|女士)`, "g"),
];

const ID_WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const ID_CHECK = "10X98765432";

/** GB 11643: the 18th character is the checksum of the first 17. */
export const isResidentId = (id: string): boolean => {
  const sum = ID_WEIGHTS.reduce((total, weight, i) => total + weight * Number(id[i]), 0);
  return ID_CHECK[sum % 11] === id[17]?.toUpperCase();
};

const all = (text: string, pattern: RegExp) => [...text.matchAll(pattern)].map((m) => m[1] ?? m[0]);

/**
 * Every personal identifier in `text`: phone numbers, ID-card numbers (checksum verified), plates,
 * names written as names, and any of `known` (the exact names, phones and addresses a test planted).
 */
export const findPersonalData = (text: string, known: readonly string[] = []): Finding[] => [
  ...all(text, PHONE).map((match): Finding => ({ kind: "phone", match })),
  ...all(text, ID_CARD)
    .filter(isResidentId)
    .map((match): Finding => ({ kind: "id-card", match })),
  ...all(text, PLATE).map((match): Finding => ({ kind: "plate", match })),
  ...NAMES.flatMap((pattern) => all(text, pattern)).map((match): Finding => ({ kind: "name", match })),
  ...known.filter((value) => text.includes(value)).map((match): Finding => ({ kind: "known value", match })),
];
