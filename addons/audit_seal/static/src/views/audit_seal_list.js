import { onWillStart } from "@odoo/owl";
import { registry } from "@web/core/registry";
import { useService } from "@web/core/utils/hooks";
import { ListController } from "@web/views/list/list_controller";
import { listView } from "@web/views/list/list_view";

/**
 * Ledger list views: show a warning banner while the addon signs with a generated demo key,
 * or when the configured signing key cannot be used.
 */
export class AuditSealListController extends ListController {
    static template = "audit_seal.ListView";

    setup() {
        super.setup();
        this.orm = useService("orm");
        this.sealStatus = {};
        onWillStart(async () => {
            this.sealStatus = await this.orm.call("audit.seal.key", "get_signing_status", []);
        });
    }
}

registry.category("views").add("audit_seal_list", {
    ...listView,
    Controller: AuditSealListController,
});
