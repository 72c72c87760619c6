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

export interface Hours {
	timeZone: string;
	businessHours: WeekHours;
	holidays: readonly string[];
}

/** One formatter per time zone (making one costs far more than using it). */
const formatters = new Map<string, Intl.DateTimeFormat>();
function formatter(timeZone: string): Intl.DateTimeFormat {
	let f = formatters.get(timeZone);
	if (!f) {
		f = new Intl.DateTimeFormat('en-GB', {
			timeZone,
			year: 'numeric',
			month: '2-digit',
			day: '2-digit',
			weekday: 'short',
			hour: '2-digit',
			minute: '2-digit',
			hourCycle: 'h23'
		});
		if (formatters.size > 500) formatters.clear();
		formatters.set(timeZone, f);
	}
	return f;
}

/** Whether the tenant is open at `now`. */
export function isOpen(p: Hours, now = new Date()): boolean {
	if (Object.keys(p.businessHours).length === 0) return true;
	const parts = Object.fromEntries(
		formatter(p.timeZone)
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

/** How far ahead nextChange() looks: past it, a caller asks again then. */
const HORIZON_MINUTES = 8 * 24 * 60;

/**
 * The next moment the tenant opens or closes after `now` (hours change only on whole
 * minutes of its time zone), or null when it has no hours (always open). Closed for
 * longer than eight days (a long holiday), it answers the end of that look-ahead, when
 * the caller asks again.
 */
export function nextChange(p: Hours, now = new Date()): Date | null {
	if (Object.keys(p.businessHours).length === 0) return null;
	const open = isOpen(p, now);
	const first = Math.floor(now.getTime() / 60_000) * 60_000 + 60_000;
	for (let i = 0; i < HORIZON_MINUTES; i++) {
		const t = new Date(first + i * 60_000);
		if (isOpen(p, t) !== open) return t;
	}
	return new Date(first + HORIZON_MINUTES * 60_000);
}
