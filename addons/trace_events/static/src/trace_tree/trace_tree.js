import { Component, markRaw, onWillStart, useState } from "@odoo/owl";
import { deserializeDateTime, formatDateTime } from "@web/core/l10n/dates";
import { _t } from "@web/core/l10n/translation";
import { registry } from "@web/core/registry";
import { formatFloat } from "@web/core/utils/numbers";
import { useService } from "@web/core/utils/hooks";
import { Layout } from "@web/search/layout";
import { standardActionServiceProps } from "@web/webclient/actions/action_service";

/** children of a lot shown at once; "Show more" adds as many again */
export const PAGE_SIZE = 200;
/** consignees listed in the summary before "Show all" */
const PARTNER_PAGE_SIZE = 10;
/** "Expand all" stops opening nodes past this many rows */
const EXPAND_ALL_ROWS = 2000;

/**
 * The trace tree of lots/serials (client action ``trace_events.trace_tree``).
 *
 * Opened with ``params.lot_ids`` (ids, or "1,2" from the URL) and ``params.direction``
 * ("forward" / "backward"). The whole graph comes from one call to ``trace.event.trace_tree``;
 * only expanded nodes are rendered, a page of children at a time, so a component lot that went
 * into 10,000 serials stays light. Each node is identified by its path from the root (a lot can
 * be reached from several parents, and cycles - unbuild then rebuild - are shown once).
 */
export class TraceTree extends Component {
    static template = "trace_events.TraceTree";
    static components = { Layout };
    static props = { ...standardActionServiceProps };
    static path = "trace-tree";
    static displayName = _t("Trace");

    setup() {
        this.orm = useService("orm");
        this.actionService = useService("action");
        this.lotIds = this.initialLotIds();
        this.state = useState({
            loading: true,
            direction: this.initialDirection(),
            graph: null,
            expanded: {},
            limits: {},
            partnerLimit: PARTNER_PAGE_SIZE,
            filter: "",
        });
        onWillStart(() => this.load());
    }

    // ------------------------------------------------------------------ loading

    initialLotIds() {
        const { params = {}, context = {} } = this.props.action;
        let ids = params.lot_ids || context.trace_lot_ids;
        if (!ids && context.active_model === "stock.lot") {
            ids = context.active_ids || context.active_id;
        }
        if (typeof ids === "string") {
            ids = ids.split(",");
        } else if (!Array.isArray(ids)) {
            ids = ids ? [ids] : [];
        }
        return [...new Set(ids.map((id) => parseInt(id, 10)).filter((id) => id > 0))];
    }

    initialDirection() {
        const { params = {}, context = {} } = this.props.action;
        const direction = params.direction || context.trace_direction;
        return direction === "backward" ? "backward" : "forward";
    }

    async load() {
        this.state.loading = true;
        let data = null;
        if (this.lotIds.length) {
            data = await this.orm.call("trace.event", "trace_tree", [
                this.lotIds,
                this.state.direction,
            ]);
        }
        this.state.graph = data ? markRaw(buildGraph(data)) : null;
        this.state.expanded = {};
        this.state.limits = {};
        this.state.partnerLimit = PARTNER_PAGE_SIZE;
        this.state.filter = "";
        this.state.loading = false;
        this.props.updateActionState?.({
            lot_ids: this.lotIds.join(","),
            direction: this.state.direction,
        });
    }

    async setDirection(direction) {
        if (direction !== this.state.direction) {
            this.state.direction = direction;
            await this.load();
        }
    }

    // ------------------------------------------------------------------ tree rows

    /** The rows to render: roots, and below each expanded lot its holders and children. */
    get rows() {
        const rows = [];
        const graph = this.state.graph;
        if (!graph) {
            return rows;
        }
        const filter = graph.filterSets(this.state.filter);
        for (const rootId of graph.rootIds) {
            this.pushLotRows(rows, rootId, null, [], 0, filter);
        }
        return rows;
    }

    /**
     * Push the row of a lot and, when it is expanded, the rows below it. With a filter, only
     * children leading to a matching lot are listed, and the way to each match is opened.
     */
    pushLotRows(rows, lotId, link, path, level, filter) {
        const graph = this.state.graph;
        const lot = graph.lots.get(lotId);
        if (!lot) {
            return;
        }
        const key = [...path, lotId].join("/");
        const cycle = path.includes(lotId);
        const holders = graph.holdersByLot.get(lotId) || [];
        const sources = graph.sourcesByLot.get(lotId) || [];
        const expandable = !cycle && Boolean(lot.children.length || holders.length || sources.length);
        const children = filter
            ? lot.children.filter((child) => filter.keep.has(child.lotId))
            : lot.children;
        // the first two levels open by themselves (what the lot went into and who holds it);
        // with a filter, the way to each match
        const autoExpand = filter
            ? Boolean(children.length || filter.match.has(lotId))
            : level < 2;
        const expanded = expandable && (this.state.expanded[key] ?? autoExpand);
        rows.push({
            type: "lot",
            key,
            level,
            lot,
            link,
            cycle,
            expandable,
            expanded,
            isRoot: level === 0,
            isMatch: Boolean(filter?.match.has(lotId)),
            stats: cycle ? null : graph.stats(lotId),
        });
        if (!expanded) {
            return;
        }
        if (holders.length) {
            rows.push({
                type: "section",
                key: `${key}#held`,
                level: level + 1,
                label: _t("Held by"),
                count: holders.length,
            });
            holders.forEach((holder, index) => {
                rows.push({ type: "holder", key: `${key}#h${index}`, level: level + 1, holder });
            });
        }
        if (sources.length) {
            rows.push({
                type: "section",
                key: `${key}#from`,
                level: level + 1,
                label: _t("Came from"),
                count: sources.length,
            });
            sources.forEach((source, index) => {
                rows.push({
                    type: "source",
                    key: `${key}#s${index}`,
                    level: level + 1,
                    source,
                    productId: lot.product_id,
                });
            });
        }
        if (children.length) {
            rows.push({
                type: "section",
                key: `${key}#children`,
                level: level + 1,
                label: this.isForward ? _t("Went into") : _t("Made from"),
                count: children.length,
                total: lot.children.length,
            });
            const limit = this.state.limits[key] || PAGE_SIZE;
            const childPath = [...path, lotId];
            for (const child of children.slice(0, limit)) {
                this.pushLotRows(rows, child.lotId, child, childPath, level + 1, filter);
            }
            if (children.length > limit) {
                rows.push({
                    type: "more",
                    key: `${key}#more`,
                    parentKey: key,
                    level: level + 1,
                    remaining: children.length - limit,
                });
            }
        }
    }

    toggle(row) {
        if (row.expandable) {
            this.state.expanded[row.key] = !row.expanded;
        }
    }

    onFilterInput(ev) {
        this.state.filter = ev.target.value;
    }

    showMore(row) {
        this.state.limits[row.parentKey] = (this.state.limits[row.parentKey] || PAGE_SIZE) + PAGE_SIZE;
    }

    expandAll() {
        let changed = true;
        while (changed) {
            changed = false;
            const rows = this.rows;
            if (rows.length > EXPAND_ALL_ROWS) {
                break;
            }
            for (const row of rows) {
                if (row.type === "lot" && row.expandable && !row.expanded) {
                    this.state.expanded[row.key] = true;
                    changed = true;
                }
            }
        }
    }

    collapseAll() {
        this.state.expanded = {};
        this.state.limits = {};
        this.state.filter = "";
    }

    // ------------------------------------------------------------------ display helpers

    get isForward() {
        return this.state.direction === "forward";
    }

    get roots() {
        const graph = this.state.graph;
        return graph ? graph.rootIds.map((id) => graph.lots.get(id)).filter(Boolean) : [];
    }

    get summary() {
        return this.state.graph?.summary || {};
    }

    /** How exact the scope is: the warning when units were reached by order genealogy. */
    get genealogy() {
        return this.state.graph?.genealogy || {};
    }

    isWidened(lotId) {
        return Boolean(this.state.graph?.widenedLotIds.has(lotId));
    }

    get consignees() {
        return this.state.graph?.consignees || [];
    }

    get visibleConsignees() {
        return this.consignees.slice(0, this.state.partnerLimit);
    }

    /** Lots matching the filter text, or null without a filter. */
    get filterMatchCount() {
        const filter = this.state.graph?.filterSets(this.state.filter);
        return filter ? filter.match.size : null;
    }

    showAllConsignees() {
        this.state.partnerLimit = this.consignees.length;
    }

    product(productId) {
        return this.state.graph.products.get(productId) || { name: "", uom: "" };
    }

    partnerName(partnerId) {
        return this.state.graph.partners.get(partnerId)?.name || "";
    }

    locationName(locationId) {
        return this.state.graph.locations.get(locationId)?.name || "";
    }

    event(eventId) {
        return this.state.graph.events.get(eventId) || {};
    }

    partnerBadge(stats) {
        const values = {
            count: this.formatInteger(stats.partnerCount),
            quantity: this.formatQuantity(stats.partnerQuantity),
        };
        return stats.partnerCount === 1
            ? _t("1 partner holds %(quantity)s", values)
            : _t("%(count)s partners hold %(quantity)s", values);
    }

    /** Tooltip of the event linking a lot to its parent: the quantities on each side. */
    edgeTitle(row, edge) {
        const graph = this.state.graph;
        const [input, inputQty, output, outputQty] = this.isForward
            ? [edge.from_lot_id, edge.from_quantity, edge.to_lot_id, edge.to_quantity]
            : [edge.to_lot_id, edge.to_quantity, edge.from_lot_id, edge.from_quantity];
        return _t("%(event)s: %(input_qty)s of %(input)s into %(output_qty)s of %(output)s", {
            event: edge.event.name || "",
            input_qty: this.formatQuantity(inputQty),
            input: graph.lots.get(input)?.name || "",
            output_qty: this.formatQuantity(outputQty),
            output: graph.lots.get(output)?.name || "",
        });
    }

    toggleTitle(row) {
        return row.expanded ? _t("Collapse") : _t("Expand");
    }

    indent(level) {
        return `padding-left: ${0.5 + level * 1.5}rem`;
    }

    formatQuantity(value) {
        return formatFloat(value || 0, { digits: [16, 3], trailingZeros: false });
    }

    formatInteger(value) {
        return formatFloat(value || 0, { digits: [16, 0] });
    }

    formatDate(value) {
        return value ? formatDateTime(deserializeDateTime(value.replace("T", " ").slice(0, 19))) : "";
    }

    lotIcon(lot) {
        return this.product(lot.product_id).tracking === "serial" ? "fa-barcode" : "fa-cubes";
    }

    // ------------------------------------------------------------------ navigation

    openRecord(resModel, resId) {
        if (!resId) {
            return;
        }
        this.actionService.doAction({
            type: "ir.actions.act_window",
            res_model: resModel,
            res_id: resId,
            views: [[false, "form"]],
            target: "current",
        });
    }

    openLot(lotId) {
        this.openRecord("stock.lot", lotId);
    }

    openPartner(partnerId) {
        this.openRecord("res.partner", partnerId);
    }

    openLocation(locationId) {
        this.openRecord("stock.location", locationId);
    }

    openEvent(eventId) {
        this.openRecord("trace.event", eventId);
    }

    /** A business document of a holder: its events for that lot (one opens directly). */
    async openDocument(document, lotId) {
        const domain = [
            ["biz_transaction", "=", document],
            ["line_ids.lot_id", "=", lotId],
        ];
        const eventIds = await this.orm.search("trace.event", domain, { limit: 2 });
        if (eventIds.length === 1) {
            return this.openEvent(eventIds[0]);
        }
        return this.actionService.doAction({
            type: "ir.actions.act_window",
            name: document,
            res_model: "trace.event",
            domain,
            views: [
                [false, "list"],
                [false, "form"],
            ],
            target: "current",
        });
    }

    openTimeline(lotId) {
        return this.actionService.doAction({
            type: "ir.actions.act_window",
            name: _t("History"),
            res_model: "trace.event.line",
            domain: [["lot_id", "=", lotId]],
            views: [
                [false, "list"],
                [false, "form"],
            ],
            context: { create: false },
            target: "current",
        });
    }
}

/**
 * Maps and derived data of a ``trace_tree`` payload (kept out of the reactive state: it can hold
 * tens of thousands of lots).
 */
export function buildGraph(data) {
    const byId = (rows) => new Map(rows.map((row) => [row.id, row]));
    const products = byId(data.products);
    const partners = byId(data.partners);
    const lots = new Map(data.lots.map((lot) => [lot.id, { ...lot, children: [] }]));
    const events = byId(data.events);

    const childrenByLot = new Map();
    for (const edge of data.edges) {
        if (!lots.has(edge.from_lot_id) || !lots.has(edge.to_lot_id)) {
            continue;
        }
        let children = childrenByLot.get(edge.from_lot_id);
        if (!children) {
            children = new Map();
            childrenByLot.set(edge.from_lot_id, children);
        }
        let child = children.get(edge.to_lot_id);
        if (!child) {
            child = { lotId: edge.to_lot_id, edges: [] };
            children.set(edge.to_lot_id, child);
        }
        child.edges.push({ ...edge, event: events.get(edge.event_id) || {} });
    }
    for (const [lotId, children] of childrenByLot) {
        lots.get(lotId).children = [...children.values()].sort((a, b) =>
            (lots.get(a.lotId).name || "").localeCompare(lots.get(b.lotId).name || "", undefined, {
                numeric: true,
            })
        );
    }

    const holdersByLot = new Map();
    for (const holder of data.holders) {
        if (!holdersByLot.has(holder.lot_id)) {
            holdersByLot.set(holder.lot_id, []);
        }
        holdersByLot.get(holder.lot_id).push(holder);
    }
    for (const holders of holdersByLot.values()) {
        // partners first (biggest holding first), then our own locations
        holders.sort(
            (a, b) =>
                (a.holder_type === "partner" ? 0 : 1) - (b.holder_type === "partner" ? 0 : 1) ||
                b.quantity - a.quantity ||
                (partners.get(a.partner_id)?.name || "").localeCompare(
                    partners.get(b.partner_id)?.name || ""
                )
        );
    }

    const sourcesByLot = new Map();
    for (const source of data.sources || []) {
        if (!sourcesByLot.has(source.lot_id)) {
            sourcesByLot.set(source.lot_id, []);
        }
        sourcesByLot.get(source.lot_id).push(source);
    }

    // consignees: one row per partner and product, over every lot reached
    const consigneeMap = new Map();
    for (const holder of data.holders) {
        if (holder.holder_type !== "partner") {
            continue;
        }
        const key = `${holder.partner_id}-${holder.product_id}`;
        let row = consigneeMap.get(key);
        if (!row) {
            row = {
                key,
                partner_id: holder.partner_id,
                product_id: holder.product_id,
                quantity: 0,
                received_quantity: 0,
                lot_ids: new Set(),
                last_date: false,
            };
            consigneeMap.set(key, row);
        }
        row.quantity += holder.quantity;
        row.received_quantity += holder.received_quantity;
        row.lot_ids.add(holder.lot_id);
        if (holder.last_date && (!row.last_date || holder.last_date > row.last_date)) {
            row.last_date = holder.last_date;
        }
    }
    const consignees = [...consigneeMap.values()].sort(
        (a, b) =>
            b.quantity - a.quantity ||
            (partners.get(a.partner_id)?.name || "").localeCompare(
                partners.get(b.partner_id)?.name || ""
            )
    );

    // counts below a lot (itself excluded for lots, included for partners), computed when shown
    const statsCache = new Map();
    const stats = (lotId) => {
        if (statsCache.has(lotId)) {
            return statsCache.get(lotId);
        }
        const seen = new Set([lotId]);
        const stack = [lotId];
        const holding = new Set();
        let partnerQuantity = 0;
        let ownQuantity = 0;
        while (stack.length) {
            const id = stack.pop();
            for (const holder of holdersByLot.get(id) || []) {
                if (holder.holder_type === "partner") {
                    partnerQuantity += holder.quantity;
                    if (holder.quantity > 0) {
                        holding.add(holder.partner_id);
                    }
                } else {
                    ownQuantity += holder.quantity;
                }
            }
            for (const child of lots.get(id)?.children || []) {
                if (!seen.has(child.lotId)) {
                    seen.add(child.lotId);
                    stack.push(child.lotId);
                }
            }
        }
        const result = {
            lotCount: seen.size - 1,
            partnerCount: holding.size,
            partnerQuantity,
            ownQuantity,
        };
        statsCache.set(lotId, result);
        return result;
    };

    // lots whose name contains a text, and every lot on the way to them (memoised per text)
    let lastFilter = null;
    const filterSets = (text) => {
        const query = (text || "").trim().toLowerCase();
        if (!query) {
            return null;
        }
        if (lastFilter?.query === query) {
            return lastFilter;
        }
        const match = new Set();
        for (const lot of lots.values()) {
            if ((lot.name || "").toLowerCase().includes(query)) {
                match.add(lot.id);
            }
        }
        const keep = new Set(match);
        const stack = [...match];
        while (stack.length) {
            for (const parentId of lots.get(stack.pop())?.parent_ids || []) {
                if (!keep.has(parentId)) {
                    keep.add(parentId);
                    stack.push(parentId);
                }
            }
        }
        lastFilter = { query, match, keep };
        return lastFilter;
    };

    return {
        direction: data.direction,
        filterSets,
        rootIds: data.root_ids,
        lots,
        events,
        products,
        partners,
        locations: byId(data.locations),
        holdersByLot,
        sourcesByLot,
        consignees,
        summary: data.summary,
        genealogy: data.genealogy || {},
        widenedLotIds: new Set(data.genealogy?.widened_lot_ids || []),
        stats,
    };
}

registry.category("actions").add("trace_events.trace_tree", TraceTree);
