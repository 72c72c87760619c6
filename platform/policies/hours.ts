/**
 * Business hours (issue 11, item 4): per weekday an [open, close) pair of 'HH:MM' in
 * the tenant's time zone, plus holidays. No hours at all means always open.
 */
export type WeekHours = Record<string, [string, string]>;

const HHMM = /^([01]\d|2[0-3]):[0-5]\d$|^24:00$/;

export function validTimeZone(tz: string): boolean {
	try {
		new Intl.DateTimeFormat('en', { timeZone: tz });
		return tz.length <= 64;
	} catch {
		return false;
	}
}

/** Problems with a week of hours, or [] when it is valid. Keys '0' (Sunday) to '6'. */
export function hoursProblems(h: WeekHours): string[] {
	const out: string[] = [];
	for (const [day, pair] of Object.entries(h)) {
		if (!/^[0-6]$/.test(day)) out.push(`Unknown weekday "${day}".`);
		else if (!Array.isArray(pair) || pair.length !== 2 || !HHMM.test(pair[0]) || !HHMM.test(pair[1])) out.push('Write hours as HH:MM, for example 09:00 to 18:00.');
		else if (pair[0] >= pair[1]) out.push('Each day must close after it opens.');
	}
	return out;
}

/** Whether the tenant is open at `now`. */
export function isOpen(p: { timeZone: string; businessHours: WeekHours; holidays: readonly string[] }, now = new Date()): boolean {
	if (Object.keys(p.businessHours).length === 0) return true;
	const parts = Object.fromEntries(
		new Intl.DateTimeFormat('en-GB', {
			timeZone: p.timeZone,
			year: 'numeric',
			month: '2-digit',
			day: '2-digit',
			weekday: 'short',
			hour: '2-digit',
			minute: '2-digit',
			hourCycle: 'h23'
		})
			.formatToParts(now)
			.map((x) => [x.type, x.value])
	);
	const date = `${parts.year}-${parts.month}-${parts.day}`;
	if (p.holidays.includes(date)) return false;
	const day = String(['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'].indexOf(parts.weekday!));
	const pair = p.businessHours[day];
	if (!pair) return false;
	const hm = `${parts.hour}:${parts.minute}`;
	return hm >= pair[0] && hm < pair[1];
}
