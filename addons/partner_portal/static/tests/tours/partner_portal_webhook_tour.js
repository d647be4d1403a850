import { registry } from "@web/core/registry";

/**
 * A distributor's IT person adds the company's webhook endpoint in the portal: from the portal
 * home to the form, an https:// address, HMAC signing, and the secret shown once.
 */
registry.category("web_tour.tours").add("partner_portal_webhook_tour", {
    url: "/my",
    steps: () => [
        {
            content: "Open the webhooks from the portal home",
            trigger: ".o_portal_index_card a[href='/my/webhooks']",
            run: "click",
            expectUnloadPage: true,
        },
        {
            content: "Add an endpoint",
            trigger: "a.o_webhook_new",
            run: "click",
            expectUnloadPage: true,
        },
        {
            content: "Enter the receiver's https address",
            trigger: "#webhook_url",
            run: "edit https://93.184.216.34/hooks/recall-notices",
        },
        {
            content: "Name it",
            trigger: "#webhook_name",
            run: "edit ERP recall notices",
        },
        {
            content: "Sign with a shared secret",
            trigger: "#webhook_signing_hmac",
            run: "click",
        },
        {
            content: "Save",
            trigger: "button.o_webhook_save",
            run: "click",
            expectUnloadPage: true,
        },
        {
            content: "The secret is shown once, to copy now",
            trigger: ".o_webhook_secret_once input.o_webhook_secret:value(/.{20,}/)",
        },
        {
            content: "The endpoint is enabled",
            trigger: ".o_webhook_state[data-state='enabled']",
        },
    ],
});
