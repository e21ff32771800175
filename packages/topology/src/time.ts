const pad = (n: number, width = 2) => String(n).padStart(width, '0');

/** ISO-8601 local date-time without zone, as the original keys heartbeats and dates descriptions. */
export function localDateTime(date: Date): string {
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}T${pad(date.getHours())}:${pad(
    date.getMinutes(),
  )}:${pad(date.getSeconds())}.${pad(date.getMilliseconds(), 3)}`;
}
