import { accountStateHandler } from '$lib/server/account-state.ts';

export const POST = accountStateHandler(false);
