export function Logo({ size = 28 }: { size?: number }) {
  return (
    <svg width={size} height={size} viewBox="0 0 32 32" aria-hidden="true" focusable="false">
      <rect width="32" height="32" rx="8" fill="var(--accent)" />
      <path
        d="M11.2 8.5c.6-.6 1.6-.6 2.1.1l1.9 2.5c.5.6.4 1.5-.1 2l-1.3 1.2c.8 1.7 2.2 3.1 3.9 3.9l1.2-1.3c.5-.6 1.4-.6 2-.1l2.5 1.9c.7.5.7 1.5.1 2.1l-1.4 1.4c-.9.9-2.3 1.2-3.5.7-4.1-1.7-7.3-4.9-9-9-.5-1.2-.2-2.6.7-3.5z"
        fill="#fff"
      />
    </svg>
  );
}
