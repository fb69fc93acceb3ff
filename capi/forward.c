/*
 * The vendor's header maps each public name to an internal one: _nxe_ (with
 * error checking, the default) or _nx_ (NX_DISABLE_ERROR_CHECKING). These
 * forwarders let objects compiled against either setting link with this
 * library. nxpop3 always checks arguments, so both forward to the same call.
 */
#include "../include/nx_pop3_client.h"

UINT _nxe_pop3_client_create(NX_POP3_CLIENT *client_ptr, UINT APOP_authentication, NX_IP *ip_ptr, NX_PACKET_POOL *packet_pool_ptr, ULONG server_ip_address, ULONG server_port, CHAR *client_name, CHAR *client_password)
{
    return nx_pop3_client_create(client_ptr, APOP_authentication, ip_ptr, packet_pool_ptr, server_ip_address, server_port, client_name, client_password);
}

UINT _nx_pop3_client_create(NX_POP3_CLIENT *client_ptr, UINT APOP_authentication, NX_IP *ip_ptr, NX_PACKET_POOL *packet_pool_ptr, ULONG server_ip_address, ULONG server_port, CHAR *client_name, CHAR *client_password)
{
    return nx_pop3_client_create(client_ptr, APOP_authentication, ip_ptr, packet_pool_ptr, server_ip_address, server_port, client_name, client_password);
}

UINT _nxde_pop3_client_create(NX_POP3_CLIENT *client_ptr, UINT APOP_authentication, NX_IP *ip_ptr, NX_PACKET_POOL *packet_pool_ptr, NXD_ADDRESS *server_duo_address, ULONG server_port, CHAR *client_name, CHAR *client_password)
{
    return nxd_pop3_client_create(client_ptr, APOP_authentication, ip_ptr, packet_pool_ptr, server_duo_address, server_port, client_name, client_password);
}

UINT _nxd_pop3_client_create(NX_POP3_CLIENT *client_ptr, UINT APOP_authentication, NX_IP *ip_ptr, NX_PACKET_POOL *packet_pool_ptr, NXD_ADDRESS *server_duo_address, ULONG server_port, CHAR *client_name, CHAR *client_password)
{
    return nxd_pop3_client_create(client_ptr, APOP_authentication, ip_ptr, packet_pool_ptr, server_duo_address, server_port, client_name, client_password);
}

UINT _nxe_pop3_client_mail_items_get(NX_POP3_CLIENT *client_ptr, UINT *number_mail_items, ULONG *maildrop_total_size)
{
    return nx_pop3_client_mail_items_get(client_ptr, number_mail_items, maildrop_total_size);
}

UINT _nx_pop3_client_mail_items_get(NX_POP3_CLIENT *client_ptr, UINT *number_mail_items, ULONG *maildrop_total_size)
{
    return nx_pop3_client_mail_items_get(client_ptr, number_mail_items, maildrop_total_size);
}

UINT _nxe_pop3_client_mail_item_size_get(NX_POP3_CLIENT *client_ptr, UINT mail_item, ULONG *size)
{
    return nx_pop3_client_mail_item_size_get(client_ptr, mail_item, size);
}

UINT _nx_pop3_client_mail_item_size_get(NX_POP3_CLIENT *client_ptr, UINT mail_item, ULONG *size)
{
    return nx_pop3_client_mail_item_size_get(client_ptr, mail_item, size);
}

UINT _nxe_pop3_client_mail_item_get(NX_POP3_CLIENT *client_ptr, UINT mail_item, ULONG *item_size)
{
    return nx_pop3_client_mail_item_get(client_ptr, mail_item, item_size);
}

UINT _nx_pop3_client_mail_item_get(NX_POP3_CLIENT *client_ptr, UINT mail_item, ULONG *item_size)
{
    return nx_pop3_client_mail_item_get(client_ptr, mail_item, item_size);
}

UINT _nxe_pop3_client_mail_item_message_get(NX_POP3_CLIENT *client_ptr, NX_PACKET **recv_packet_ptr, ULONG *bytes_retrieved, UINT *final_packet)
{
    return nx_pop3_client_mail_item_message_get(client_ptr, recv_packet_ptr, bytes_retrieved, final_packet);
}

UINT _nx_pop3_client_mail_item_message_get(NX_POP3_CLIENT *client_ptr, NX_PACKET **recv_packet_ptr, ULONG *bytes_retrieved, UINT *final_packet)
{
    return nx_pop3_client_mail_item_message_get(client_ptr, recv_packet_ptr, bytes_retrieved, final_packet);
}

UINT _nxe_pop3_client_mail_item_delete(NX_POP3_CLIENT *client_ptr, UINT mail_index)
{
    return nx_pop3_client_mail_item_delete(client_ptr, mail_index);
}

UINT _nx_pop3_client_mail_item_delete(NX_POP3_CLIENT *client_ptr, UINT mail_index)
{
    return nx_pop3_client_mail_item_delete(client_ptr, mail_index);
}

UINT _nxe_pop3_client_quit(NX_POP3_CLIENT *client_ptr)
{
    return nx_pop3_client_quit(client_ptr);
}

UINT _nx_pop3_client_quit(NX_POP3_CLIENT *client_ptr)
{
    return nx_pop3_client_quit(client_ptr);
}

UINT _nxe_pop3_client_delete(NX_POP3_CLIENT *client_ptr)
{
    return nx_pop3_client_delete(client_ptr);
}

UINT _nx_pop3_client_delete(NX_POP3_CLIENT *client_ptr)
{
    return nx_pop3_client_delete(client_ptr);
}

UINT _nxe_pop3_client_noop(NX_POP3_CLIENT *client_ptr)
{
    return nx_pop3_client_noop(client_ptr);
}

UINT _nx_pop3_client_noop(NX_POP3_CLIENT *client_ptr)
{
    return nx_pop3_client_noop(client_ptr);
}

UINT _nxe_pop3_client_reset(NX_POP3_CLIENT *client_ptr)
{
    return nx_pop3_client_reset(client_ptr);
}

UINT _nx_pop3_client_reset(NX_POP3_CLIENT *client_ptr)
{
    return nx_pop3_client_reset(client_ptr);
}
