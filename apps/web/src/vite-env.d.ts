/// <reference types="vite/client" />

interface ImportMetaEnv {
  /** Where the API is for the built site; '' (default) is the page's own origin. */
  readonly VITE_API_BASE_URL?: string;
}

interface ImportMeta {
  readonly env: ImportMetaEnv;
}
