import { describe, expect, it } from "vitest";
import type { AccountDataPolicy, ProviderPreferences } from "@switchboard/contracts";
import { withAccountDataPolicy } from "./account-data-policy.js";

const open: AccountDataPolicy = { data_collection: "allow", zdr: false };
const deny: AccountDataPolicy = { data_collection: "deny", zdr: false };
const zdr: AccountDataPolicy = { data_collection: "allow", zdr: true };
const both: AccountDataPolicy = { data_collection: "deny", zdr: true };

/** Account policy × request preferences → the preferences routing applies: the stricter of each field. */
const table: { case: string; account: AccountDataPolicy | undefined; request: ProviderPreferences | undefined; routed: ProviderPreferences | undefined }[] = [
  { case: "no account policy leaves the request alone", account: undefined, request: { data_collection: "allow" }, routed: { data_collection: "allow" } },
  { case: "an open account leaves no preferences as none", account: open, request: undefined, routed: undefined },
  { case: "an open account leaves a loose request loose", account: open, request: { data_collection: "allow", zdr: false }, routed: { data_collection: "allow", zdr: false } },
  { case: "a request can tighten an open account", account: open, request: { data_collection: "deny", zdr: true }, routed: { data_collection: "deny", zdr: true } },
  { case: "a denying account applies without preferences", account: deny, request: undefined, routed: { data_collection: "deny" } },
  { case: "a request cannot loosen a denying account", account: deny, request: { data_collection: "allow", order: ["a"] }, routed: { data_collection: "deny", order: ["a"] } },
  { case: "a request cannot turn off the account's zdr", account: zdr, request: { zdr: false }, routed: { zdr: true } },
  { case: "both account fields apply together", account: both, request: { sort: "price" }, routed: { sort: "price", data_collection: "deny", zdr: true } },
];

describe("withAccountDataPolicy (issue 9)", () => {
  it.each(table)("$case", ({ account, request, routed }) => {
    expect(withAccountDataPolicy(request, account)).toEqual(routed);
  });

  it("does not change the request's own preferences object", () => {
    const request: ProviderPreferences = { data_collection: "allow" };
    withAccountDataPolicy(request, both);
    expect(request).toEqual({ data_collection: "allow" });
  });
});
