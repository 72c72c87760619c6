/**
 * The console's languages (Paraglide JS; messages in console/messages/{locale}.json):
 * the signed-in person's preference, stored on the account (POST /api/me/language).
 */
import { m } from '$lib/paraglide/messages.js';
import { setLocale, type Locale } from '$lib/paraglide/runtime.js';

export type { Locale };
export type MessageKey = keyof typeof m;
type Fn = (inputs?: Record<string, unknown>, options?: { locale?: Locale }) => string;

export const LANGUAGES: readonly { locale: Locale; label: string }[] = [
	{ locale: 'en', label: 'English' },
	{ locale: 'ja', label: '日本語' }
];

class Language {
	#current = $state<Locale>('en');
	get current(): Locale {
		return this.#current;
	}
	use(locale: Locale): void {
		this.#current = locale;
		void setLocale(locale, { reload: false });
		if (typeof document !== 'undefined') document.documentElement.lang = locale;
	}
}
export const lang = new Language();

/** One message in the current language. */
export function t(key: MessageKey, params: Record<string, unknown> = {}): string {
	return (m[key] as unknown as Fn)(params, { locale: lang.current });
}

/** A moment in the console's language ("—" for none). */
export const formatWhen = (d: Date | string | null): string => (d ? new Date(d).toLocaleString(lang.current) : '—');

/** A duration in seconds, as "42 s" or "3 min 5 s" in the console's language ("—" for none). */
export const formatSecs = (s: number | null): string =>
	s === null ? '—' : s < 60 ? t('adm_secs', { s: Math.round(s) }) : t('adm_min_secs', { m: Math.floor(s / 60), s: Math.round(s % 60) });

/** A role's name in the console's language. */
export const roleLabel = (r: string): string => (r === 'kiosk' || r === 'concierge' || r === 'admin' ? t(`adm_role_${r}`) : r);
