import { Type, type Static } from 'typebox';
import { Email, Id, NO_NUL, Page, patchRule, Timestamp } from './common.js';
import { Limit, Offset } from './clients.js';

/** An account as an administrator sees it. */
export const AdminUser = Type.Object(
  {
    id: Id,
    email: Email,
    is_active: Type.Boolean(),
    is_superuser: Type.Boolean(),
    created_at: Timestamp,
  },
  { title: 'AdminUser' },
);
export type AdminUser = Static<typeof AdminUser>;

export const ListAdminUsersQuery = Type.Object({
  q: Type.Optional(Type.String({ maxLength: 255, pattern: NO_NUL, description: 'part of the email address (any case), without NUL characters', examples: ['example.com'] })),
  limit: Type.Optional(Limit),
  offset: Type.Optional(Offset),
});
export type ListAdminUsersQuery = Static<typeof ListAdminUsersQuery>;

export const AdminUserPage = Page(AdminUser);
export type AdminUserPage = Static<typeof AdminUserPage>;

const adminUserFields = {
  is_active: Type.Boolean({ description: 'false deactivates: every token, session and API key of the user is refused at once (keys stay revoked after a reactivation)' }),
  is_superuser: Type.Boolean({ description: 'grants or takes away administration' }),
};
export const UpdateAdminUserBody = Type.Partial(Type.Object(adminUserFields), {
  minProperties: 1,
  title: 'UpdateAdminUserBody',
  description: patchRule(Object.keys(adminUserFields)),
});
export type UpdateAdminUserBody = Static<typeof UpdateAdminUserBody>;
