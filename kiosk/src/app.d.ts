/// <reference path="../../platform/web/app-types.d.ts" />
export {};
