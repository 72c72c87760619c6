// App.* types shared by both SvelteKit apps (each app's src/app.d.ts references this file).
import type { Actor } from '../types.ts';
import type { Session } from '../sessions/sessions.ts';

declare global {
	namespace App {
		interface Error {
			message: string;
			code: string;
			requestId?: string;
		}
		interface Locals {
			requestId: string;
			actor: Actor | null;
			session: Session | null;
			tenant: { slug: string; name: string } | null;
		}
	}
}
export {};
