import type { ClientSummary } from '@agentcaller/sdk';
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { useEffect, useId, useRef, useState, type Ref } from 'react';
import { useApi } from '../api';
import { keys } from '../lib/queryKeys';
import { useDebouncedValue } from '../lib/useDebouncedValue';
import { formatPhone } from '../lib/phone';

interface ClientPickerProps {
  value: ClientSummary | null;
  onChange: (client: ClientSummary | null) => void;
  onBlur?: () => void;
  ref?: Ref<HTMLInputElement>;
  id?: string;
  'aria-invalid'?: boolean;
  'aria-describedby'?: string;
}

const SUGGESTIONS = 8;

/**
 * A combobox: type part of a name or phone (or press ↓, or click) to list clients, then pick one
 * with the arrow keys and Enter, or a tap.
 */
export function ClientPicker({ value, onChange, onBlur, ref, id, ...aria }: ClientPickerProps) {
  const api = useApi();
  const listId = useId();
  const [text, setText] = useState(value?.name ?? '');
  const [open, setOpen] = useState(false);
  const [active, setActive] = useState(0);
  const q = useDebouncedValue(text.trim(), 200);
  const query = { ...(q && q !== value?.name ? { q } : {}), limit: SUGGESTIONS };
  // While the next search loads, the last one's suggestions stay: a list that blanked 200 ms after
  // the typing stopped would swallow a tap aimed at it.
  const results = useQuery({ queryKey: keys.clientList(query), queryFn: () => api.clients.list(query), enabled: open, placeholderData: keepPreviousData });
  const options = results.data?.items ?? [];
  const shown = open && (options.length > 0 || results.isFetched);
  // A blur closes the list a moment later (so a tap on an option lands first); focus cancels it.
  const closing = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  const show = () => {
    clearTimeout(closing.current);
    setOpen(true);
  };
  useEffect(() => () => clearTimeout(closing.current), []);

  const choose = (client: ClientSummary) => {
    onChange({ id: client.id, name: client.name, phone: client.phone });
    setText(client.name);
    setOpen(false);
  };

  return (
    <div className="combobox">
      <input
        ref={ref}
        id={id}
        {...aria}
        type="text"
        role="combobox"
        autoComplete="off"
        placeholder="Search by name or phone"
        aria-autocomplete="list"
        aria-expanded={shown}
        aria-controls={listId}
        aria-activedescendant={shown && options[active] ? `${listId}-${options[active].id}` : undefined}
        value={text}
        onChange={(event) => {
          setText(event.target.value);
          setActive(0);
          show();
          if (value) onChange(null);
        }}
        onClick={show}
        onBlur={() => {
          clearTimeout(closing.current);
          closing.current = setTimeout(() => setOpen(false), 150);
          onBlur?.();
        }}
        onKeyDown={(event) => {
          if (event.key === 'ArrowDown') {
            event.preventDefault();
            show();
            setActive((i) => Math.min(i + 1, Math.max(options.length - 1, 0)));
          } else if (event.key === 'ArrowUp') {
            event.preventDefault();
            setActive((i) => Math.max(i - 1, 0));
          } else if (event.key === 'Enter' && shown && options[active]) {
            event.preventDefault();
            choose(options[active]);
          } else if (event.key === 'Escape' && shown) {
            // Closes the list, not the dialog around it.
            event.preventDefault();
            setOpen(false);
          }
        }}
      />
      <ul id={listId} role="listbox" aria-label="Clients" className="combobox__list" hidden={!shown}>
        {options.map((client, index) => (
          <li
            key={client.id}
            id={`${listId}-${client.id}`}
            role="option"
            aria-selected={index === active}
            className={index === active ? 'combobox__option combobox__option--active' : 'combobox__option'}
            onMouseDown={(event) => event.preventDefault()}
            onClick={() => choose(client)}
            onMouseEnter={() => setActive(index)}
          >
            <span className="combobox__name">{client.name}</span>
            <span className="combobox__phone tabular">{formatPhone(client.phone)}</span>
          </li>
        ))}
        {shown && options.length === 0 ? (
          <li className="combobox__empty" role="presentation">
            {q ? `No client matches “${q}”.` : 'No clients yet: add one on the Clients page.'}
          </li>
        ) : null}
      </ul>
    </div>
  );
}
