const KHMER_DIGITS = "០១២៣៤៥៦៧៨៩";

export function khmerToAsciiDigits(text: string): string {
  return text.replace(/[០-៩]/g, (d) => String(KHMER_DIGITS.indexOf(d)));
}

export function asciiToKhmerDigits(text: string): string {
  return text.replace(/[0-9]/g, (d) => KHMER_DIGITS[Number(d)]!);
}
