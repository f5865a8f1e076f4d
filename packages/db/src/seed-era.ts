// A database in exactly the state the original Python service leaves it, built from the contract's
// text (shared/spec/api.md, "The original schema (seed), exactly") the way SQLAlchemy and Alembic
// emit it, never from our migrations: the fixture every adoption test starts from.
import { sql } from 'drizzle-orm';
import type { Database } from './connect.js';

/** The DDL `alembic upgrade head` ran for the original models (SQLAlchemy's style and index names). */
export const SEED_SCHEMA: string[] = [
  `CREATE TABLE alembic_version (
	version_num VARCHAR(32) NOT NULL,
	CONSTRAINT alembic_version_pkc PRIMARY KEY (version_num)
)`,
  `CREATE TABLE users (
	id SERIAL NOT NULL,
	email VARCHAR(255) NOT NULL,
	hashed_password VARCHAR(255) NOT NULL,
	is_active BOOLEAN DEFAULT TRUE NOT NULL,
	created_at TIMESTAMP WITH TIME ZONE DEFAULT now() NOT NULL,
	PRIMARY KEY (id)
)`,
  `CREATE UNIQUE INDEX ix_users_email ON users (email)`,
  `CREATE INDEX ix_users_id ON users (id)`,
  `CREATE TABLE clients (
	id SERIAL NOT NULL,
	name VARCHAR(255) NOT NULL,
	phone VARCHAR(50) NOT NULL,
	PRIMARY KEY (id)
)`,
  `CREATE INDEX ix_clients_id ON clients (id)`,
  `CREATE INDEX ix_clients_name ON clients (name)`,
  `CREATE INDEX ix_clients_phone ON clients (phone)`,
  `CREATE TABLE appointments (
	id SERIAL NOT NULL,
	client_id INTEGER NOT NULL,
	starts_at TIMESTAMP WITH TIME ZONE NOT NULL,
	ends_at TIMESTAMP WITH TIME ZONE NOT NULL,
	notes TEXT,
	PRIMARY KEY (id),
	FOREIGN KEY(client_id) REFERENCES clients (id) ON DELETE CASCADE
)`,
  `CREATE INDEX ix_appointments_id ON appointments (id)`,
  `CREATE INDEX ix_appointments_client_id ON appointments (client_id)`,
  `INSERT INTO alembic_version (version_num) VALUES ('3f2a9c1b7d40')`,
];

/** Passwords of the fixture's users, and the passlib hashes (bcrypt, cost 12) the original stored. */
export const SEED_USERS = [
  {
    email: 'Admin@Example.COM',
    password: 'changeme123',
    hash: '$2b$12$gYz7JQkfAtgXawLE5Afd8.jKhJ4pf7XhSqSnDR1XqgUmWEjy9GrYm',
    isActive: true,
  },
  {
    email: 'Ops.Team@Example.com',
    password: 'correct horse battery',
    hash: '$2b$12$oNfDpf.O30VdpSEMjLcJce9NBvwag3bYoTwWYROYD4B7ngfPffuRe',
    isActive: true,
  },
  { email: 'former@example.com', password: 'changeme123', hash: '$2b$12$gYz7JQkfAtgXawLE5Afd8.jKhJ4pf7XhSqSnDR1XqgUmWEjy9GrYm', isActive: false },
] as const;

/** Free-form phones as people typed them into the original service; the last one is not a number. */
export const SEED_CLIENTS = [
  { name: 'Ann Lee', phone: '(415) 555-0123' },
  { name: 'Bob Stone', phone: '415.555.0199' },
  { name: 'Carla Díaz', phone: '+44 20 7946 0958' },
  { name: 'Dan Wu', phone: '+14155550142' },
  { name: 'Eve Front Desk', phone: 'ask at reception' },
] as const;

/** One shared calendar, nothing overlapping (back-to-back is fine). */
export const SEED_APPOINTMENTS = [
  { clientId: 1, startsAt: '2026-01-15T10:00:00Z', endsAt: '2026-01-15T10:30:00Z', notes: 'Quarterly review' },
  { clientId: 1, startsAt: '2026-01-15T10:30:00Z', endsAt: '2026-01-15T11:00:00Z', notes: null },
  { clientId: 2, startsAt: '2026-01-15T11:00:00Z', endsAt: '2026-01-15T12:00:00Z', notes: 'Kick-off' },
  { clientId: 3, startsAt: '2026-01-16T09:00:00Z', endsAt: '2026-01-16T09:45:00Z', notes: null },
] as const;

async function exec(db: Database, statements: string[]): Promise<void> {
  for (const statement of statements) await db.execute(sql.raw(statement));
}

/** The original schema only, no rows. */
export async function createSeedSchema(db: Database): Promise<void> {
  await exec(db, SEED_SCHEMA);
}

/** The original schema with the fixture's users, clients and appointments, as the original wrote them. */
export async function createSeedDatabase(db: Database): Promise<void> {
  await createSeedSchema(db);
  for (const user of SEED_USERS) {
    await db.execute(
      sql`insert into users (email, hashed_password, is_active, created_at)
          values (${user.email}, ${user.hash}, ${user.isActive}, '2025-05-06T07:08:09.123456Z')`,
    );
  }
  for (const client of SEED_CLIENTS) await db.execute(sql`insert into clients (name, phone) values (${client.name}, ${client.phone})`);
  for (const a of SEED_APPOINTMENTS) {
    await db.execute(
      sql`insert into appointments (client_id, starts_at, ends_at, notes) values (${a.clientId}, ${a.startsAt}, ${a.endsAt}, ${a.notes})`,
    );
  }
}
