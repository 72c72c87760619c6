/**
 * Domain errors. platform/ throws these; each app maps them to HTTP in one place
 * (platform/web/http.ts). `code` is stable and safe to show to API clients;
 * `message` is written for the person who will read it.
 */
export class DomainError extends Error {
	readonly status: number = 400;
	constructor(
		readonly code: string,
		message: string,
		readonly detail: Record<string, unknown> = {}
	) {
		super(message);
		this.name = new.target.name;
	}
}

export class Invalid extends DomainError {
	override readonly status = 400;
}
export class Unauthorized extends DomainError {
	override readonly status = 401;
}
export class Forbidden extends DomainError {
	override readonly status = 403;
}
export class NotFound extends DomainError {
	override readonly status = 404;
}
export class Conflict extends DomainError {
	override readonly status = 409;
}
export class Locked extends DomainError {
	override readonly status = 423;
}
export class TooLarge extends DomainError {
	override readonly status = 413;
}
export class UnsupportedMediaType extends DomainError {
	override readonly status = 415;
}
export class RateLimited extends DomainError {
	override readonly status = 429;
}

export function isDomainError(e: unknown): e is DomainError {
	return e instanceof DomainError;
}
