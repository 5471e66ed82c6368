/* SPDX-License-Identifier: MIT */
#pragma once

#include <stdbool.h>

#include <json-c/json.h>

/* Renders netplan device definitions, as the inventory describes them (config.network.interfaces[]
 * elements, see src/inspect/netplan.h), as systemd-networkd configuration for a target that does
 * not take the netplan YAML as it is.
 *
 * Only ethernets are rendered, and only from the keys the inventory keeps the values of:
 * match (macaddress, name, driver), set-name, dhcp4, dhcp6, dhcp4-overrides and dhcp6-overrides
 * (route-metric, use-dns, use-domains, use-routes, use-mtu, use-ntp, send-hostname,
 * use-hostname, hostname), addresses, gateway4, gateway6, routes (to, via, metric, table),
 * nameservers (addresses, search), mtu, optional. Every other key is "not renderable".
 *
 * AKS conventions (Azure/AgentBaker configureSecondaryNICs, config-differences.md §3): a device
 * "secondary-nic-N" from /etc/netplan/60-secondary-nic-N.yaml becomes
 * /etc/systemd/network/10-secondary-nic-N.network with the Azure Linux route metric
 * (2000 + N * 100 instead of Ubuntu's 100 + N * 100) and UseDNS=false, UseDomains=false,
 * SendRelease=false. Other devices become /etc/systemd/network/10-azlmigrate-<id>.network (and
 * .link for set-name), which sort before the image's 99-dhcp-en.network. */

/* Whether a key path of a device, as in interfaces[].keys ("dhcp4-overrides.route-metric"), of
 * the given kind ("ethernet") can be rendered. */
bool networkd_key_renderable(const char *kind, const char *key);

/* Whether a global key path, as in config.network.keys ("network.renderer"), can be rendered
 * (a device key path "network.ethernets.*.<key>" is looked up with networkd_key_renderable()). */
bool networkd_global_key_renderable(const char *path);

/* Renders one device. Values are checked before they are written (a MAC address must look like
 * one, names and addresses may only use the characters networkd accepts there): guest strings
 * never reach the output unchecked.
 * Returns 1 and a new array of {"target", "content", "note"} objects (the .network file, then the
 * .link file if any), 0 when the device cannot be rendered (*ret_reason says why; caller frees),
 * or -ENOMEM. */
int networkd_render_device(json_object *dev, json_object **ret_files, char **ret_reason);
