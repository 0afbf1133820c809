import { allBusIdentities, type BusIdentity } from "./bus-identities.js";
import type { BusPermissions, SubjectPermission } from "./bus-permissions.js";

/**
 * The permission table of README's "Bus security" section (identity × subjects), as Markdown. The README
 * holds this text for namespace `sb`; a test keeps the two equal, and
 * `node libs/messaging/dist/print-bus-permission-table.js` prints it after the model changed.
 */
export function renderBusPermissionTable(permissions: Readonly<Record<BusIdentity, BusPermissions>>): string {
  const rows = allBusIdentities.map((identity) => {
    const permission = permissions[identity];
    return `| ${identity} | ${cell(permission.publish)} | ${cell(permission.subscribe)} | ${permission.allowResponses ? "yes" : "no"} |`;
  });
  return ["| identity | may publish | may subscribe | answers requests it receives |", "|---|---|---|---|", ...rows].join("\n");
}

function cell(permission: SubjectPermission): string {
  const allowed = permission.allow.map((subject) => `\`${subject}\``).join("<br>");
  if (permission.deny.length === 0) return allowed;
  return `${allowed}<br>**not** ${permission.deny.map((subject) => `\`${subject}\``).join(", ")}`;
}
