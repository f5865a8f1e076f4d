interface PaginationProps {
  offset: number;
  limit: number;
  total: number;
  onPage: (offset: number) => void;
  label: string;
}

export function Pagination({ offset, limit, total, onPage, label }: PaginationProps) {
  if (total <= limit && offset === 0) return null;
  const first = total === 0 ? 0 : offset + 1;
  const last = Math.min(offset + limit, total);
  return (
    <nav className="pagination" aria-label={label}>
      <p className="pagination__summary">
        {first}–{last} of {total}
      </p>
      <div className="pagination__buttons">
        <button type="button" className="button button--small" disabled={offset === 0} onClick={() => onPage(Math.max(0, offset - limit))}>
          Previous page
        </button>
        <button type="button" className="button button--small" disabled={offset + limit >= total} onClick={() => onPage(offset + limit)}>
          Next page
        </button>
      </div>
    </nav>
  );
}
