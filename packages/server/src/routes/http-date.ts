const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

// RFC 9110 §5.6.7: "A recipient that parses a timestamp value in an HTTP field MUST accept all
// three HTTP-date formats": IMF-fixdate, the obsolete RFC 850 form and asctime (all in GMT).
const IMF_FIXDATE = /^(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun), (\d{2}) ([A-Z][a-z]{2}) (\d{4}) (\d{2}):(\d{2}):(\d{2}) GMT$/;
const RFC850 = /^(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday), (\d{2})-([A-Z][a-z]{2})-(\d{2}) (\d{2}):(\d{2}):(\d{2}) GMT$/;
const ASCTIME = /^(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun) ([A-Z][a-z]{2}) ([ \d]\d) (\d{2}):(\d{2}):(\d{2}) (\d{4})$/;

/**
 * An HTTP-date as milliseconds since the epoch (a whole second), or undefined when the value is
 * not exactly one valid HTTP-date: callers then ignore the header, as §13.1.3 and §13.1.4 say.
 */
export function parseHttpDate(value: string | string[] | undefined): number | undefined {
  if (value === undefined || Array.isArray(value)) return undefined;
  const text = value.trim();
  let m = IMF_FIXDATE.exec(text);
  if (m) return utc(m[3]!, m[2]!, m[1]!, m[4]!, m[5]!, m[6]!);
  m = RFC850.exec(text);
  if (m) {
    // §5.6.7: a two-digit year that appears to be more than 50 years in the future is in the past.
    const yy = Number(m[3]);
    const thisYear = new Date().getUTCFullYear();
    let year = Math.floor(thisYear / 100) * 100 + yy;
    if (year > thisYear + 50) year -= 100;
    return utc(String(year), m[2]!, m[1]!, m[4]!, m[5]!, m[6]!);
  }
  m = ASCTIME.exec(text);
  if (m) return utc(m[6]!, m[1]!, m[2]!.trim(), m[3]!, m[4]!, m[5]!);
  return undefined;
}

function utc(year: string, month: string, day: string, hour: string, minute: string, second: string): number | undefined {
  const monthIndex = MONTHS.indexOf(month);
  const [y, d, h, min, s] = [year, day, hour, minute, second].map(Number) as [number, number, number, number, number];
  if (monthIndex < 0 || d < 1 || h > 23 || min > 59 || s > 60) return undefined;
  const time = Date.UTC(y, monthIndex, d, h, min, Math.min(s, 59));
  // Date.UTC rolls 31 Feb over into March: a day the month does not have is not a date.
  return new Date(time).getUTCDate() === d ? time : undefined;
}
