/**
 * Masking (去标识化) of personal data for every display (002 五(一)). Lengths count Unicode code
 * points, so a name with a rare character outside the BMP is masked as the reader sees it.
 */

const STAR = '*';
const codePoints = (value: string): string[] => Array.from(value);

/** `张` → `*`, `张三` → `张*`, `张三丰` → `张*丰`, `欧阳娜娜` → `欧**娜`. */
export function maskName(name: string): string {
  const chars = codePoints(name);
  const n = chars.length;
  if (n <= 1) return STAR.repeat(n);
  if (n === 2) return `${chars[0]}${STAR}`;
  return `${chars[0]}${STAR.repeat(n - 2)}${chars[n - 1]}`;
}

/** Keeps `keepStart` and `keepEnd` code points; inputs shorter than `minLength` are fully starred. */
function maskMiddle(value: string, keepStart: number, keepEnd: number, minLength: number): string {
  const chars = codePoints(value);
  const n = chars.length;
  if (n < minLength) return STAR.repeat(n);
  return chars.slice(0, keepStart).join('') + STAR.repeat(n - keepStart - keepEnd) + chars.slice(n - keepEnd).join('');
}

/**
 * `370102199001011234` → `3701**********1234`: region prefix and last 4 shown, birth date hidden.
 * Shorter numbers (under 12) are fully starred so that most of the number always stays hidden.
 */
export const maskIdNumber = (idNumber: string): string => maskMiddle(idNumber, 4, 4, 12);

/** `13812345678` → `138****5678`; numbers shorter than a mobile number are fully starred. */
export const maskPhone = (phone: string): string => maskMiddle(phone, 3, 4, 11);
