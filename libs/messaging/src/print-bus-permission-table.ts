import { createSubjects } from "@switchboard/contracts";
import { createBusPermissions } from "./bus-security/bus-permissions.js";
import { renderBusPermissionTable } from "./bus-security/render-bus-permission-table.js";

// `node libs/messaging/dist/print-bus-permission-table.js [namespace]`: the README's permission table.
process.stdout.write(`${renderBusPermissionTable(createBusPermissions(createSubjects(process.argv[2] ?? "sb")))}\n`);
