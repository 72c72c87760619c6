// This app's mapping of platform errors to HTTP: the shared one (platform/web/http.ts).
export { failFrom, rethrowHttp, httpCall, readJsonObject, field } from '$platform/web/http.ts';
export { requireRole, safeNext, clientIp } from '$platform/web/hooks.ts';
