/**
 * The kiosk's languages (Paraglide JS; messages in kiosk/messages/{locale}.json).
 * The shopper's choice on standby lasts one call; the staff menu sets the default
 * language this terminal returns to. Texts are shown in the chosen language with
 * English beside them (unless English is chosen), each half with its own `lang`.
 */
import { m } from '$lib/paraglide/messages.js';
import { baseLocale, isLocale, setLocale, type Locale } from '$lib/paraglide/runtime.js';
import type { EndReason } from '$platform/calls/contract.ts';

export type { Locale };
export type MessageKey = keyof typeof m;
type Fn = (inputs?: Record<string, unknown>, options?: { locale?: Locale }) => string;

/** The language switch's labels, each in its own language. */
export const LANGUAGES: readonly { locale: Locale; label: string }[] = [
	{ locale: 'ja', label: '日本語' },
	{ locale: 'en', label: 'English' },
	{ locale: 'zh-Hans', label: '简体中文' },
	{ locale: 'ko', label: '한국어' }
];

const DEFAULT_KEY = 'concierge:default-locale';

/** One message in one language. */
export function tr(key: MessageKey, params: Record<string, unknown> = {}, locale: Locale = lang.current): string {
	return (m[key] as unknown as Fn)(params, { locale });
}

/** A notice code of the call (an end reason or a call failure) as a message key. */
/** Notice codes that are not `end_<reason>` keys. */
const NOTICE_KEYS: Partial<Record<string, MessageKey>> = {
	ended: 'end_room_closed',
	callFailed: 'err_call_failed',
	joinFailed: 'err_join_failed',
	media: 'err_media',
	shareFailed: 'err_share_failed',
	tooMany: 'err_too_many',
	concierge_signed_out: 'end_concierge_left'
};

/** A notice code of the call (an end reason or a call failure) as a message key. */
export function noticeKey(code: EndReason | 'ended' | 'callFailed' | 'joinFailed' | 'media' | 'shareFailed' | 'tooMany'): MessageKey {
	return NOTICE_KEYS[code] ?? (`end_${code}` as MessageKey);
}

class Language {
	#current = $state<Locale>(baseLocale);
	#default = $state<Locale>(baseLocale);

	get current(): Locale {
		return this.#current;
	}
	/** The terminal's default language (set in the staff menu). */
	get default(): Locale {
		return this.#default;
	}

	/** Read the terminal's default language (browser only). */
	load(): void {
		try {
			const saved = localStorage.getItem(DEFAULT_KEY);
			if (saved && isLocale(saved)) this.#default = saved;
		} catch {
			// Storage unavailable: the base language.
		}
		this.use(this.#default);
	}

	use(locale: Locale): void {
		this.#current = locale;
		void setLocale(locale, { reload: false });
		document.documentElement.lang = locale;
	}

	setDefault(locale: Locale): void {
		this.#default = locale;
		try {
			localStorage.setItem(DEFAULT_KEY, locale);
		} catch {
			// Kept for this page only.
		}
		this.use(locale);
	}

	/** Back to the terminal's default (after a call, or an idle standby). */
	reset(): void {
		if (this.#current !== this.#default) this.use(this.#default);
	}
}

export const lang = new Language();
