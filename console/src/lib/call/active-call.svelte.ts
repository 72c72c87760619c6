/**
 * Whether this console is in a call right now, for the (app) layout's sign-out
 * confirmation. Written only by ConsoleCall.
 */
export const activeCall = $state({ live: false });
