/** Request bodies over 1 MiB are refused with 413. */
export const BODY_LIMIT = 1024 * 1024;
