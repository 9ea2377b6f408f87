<?php
/**
 * hashchat's tests: what Tools → Import → WordPress does with a WXR file, replayed inside a real
 * WordPress with WordPress's own functions (the WordPress Importer plugin cannot be installed on
 * a machine without the network; this script is ours, written from the format and the plugin's
 * documented steps, not a copy of it).
 *
 *   php wxr_replay.php WORDPRESS_DIR FILE.xml [--check]
 *
 * First the file is checked as the importer reads it: well-formed XML without a DOCTYPE, the WXR
 * namespaces on <rss>, /rss/channel/wp:wxr_version as N.N and no newer than 1.2, the channel's
 * wp:base_site_url and authors, and every element the importer reads of each <item> and each
 * <wp:comment> present, with dates WordPress can store and comment parents it can map (it inserts
 * an item's comments by ascending wp:comment_id and maps a parent only once that parent is in).
 * With --check it stops there. Then, as the importer does when every author is assigned to the
 * site's admin: each item becomes a post through wp_insert_post (unless post_exists() finds the
 * same title and date), each comment goes through wp_filter_comment and wp_insert_comment with
 * its parent mapped through the file's comment ids (on a post that existed, comments that
 * comment_exists() finds are skipped).
 *
 * Prints one JSON object: {"errors": [...]} with exit status 1, or
 * {"posts": [{"old_id", "id", "existed", "comments": {old id: new id}}]} with exit status 0.
 */

const WXR_NAMESPACES = array(
	'wp'      => '#^http://wordpress\.org/export/1\.[0-2]/$#',
	'excerpt' => '#^http://wordpress\.org/export/1\.[0-2]/excerpt/$#',
	'content' => '#^http://purl\.org/rss/1\.0/modules/content/$#',
	'dc'      => '#^http://purl\.org/dc/elements/1\.1/$#',
);
const NEWEST_WXR = 1.2;
const ITEM_WP = array(
	'post_id', 'post_date', 'post_date_gmt', 'comment_status', 'ping_status', 'post_name',
	'status', 'post_parent', 'menu_order', 'post_type', 'post_password', 'is_sticky',
);
const COMMENT_WP = array(
	'comment_id', 'comment_author', 'comment_author_email', 'comment_author_IP',
	'comment_author_url', 'comment_date', 'comment_date_gmt', 'comment_content',
	'comment_approved', 'comment_type', 'comment_parent', 'comment_user_id',
);
const APPROVED_VALUES = array( '0', '1', 'spam', 'trash' );

function finish( array $result, int $status ): void {
	echo json_encode( $result, JSON_UNESCAPED_UNICODE | JSON_UNESCAPED_SLASHES ), "\n";
	exit( $status );
}

function is_wp_time( string $value ): bool {
	$parsed = DateTime::createFromFormat( '!Y-m-d H:i:s', $value );
	return false !== $parsed && $parsed->format( 'Y-m-d H:i:s' ) === $value;
}

/** The file as SimpleXML, or the reasons the importer's SimpleXML parser would refuse it. */
function read_wxr( string $path, array &$errors ): ?SimpleXMLElement {
	$text = @file_get_contents( $path );
	if ( false === $text ) {
		$errors[] = "cannot read $path";
		return null;
	}
	libxml_use_internal_errors( true );
	$dom = new DOMDocument();
	if ( ! $dom->loadXML( $text, LIBXML_NONET ) ) {
		foreach ( libxml_get_errors() as $error ) {
			$errors[] = sprintf( 'not well-formed XML: line %d: %s', $error->line, trim( $error->message ) );
		}
		return null;
	}
	if ( null !== $dom->doctype ) {
		$errors[] = 'has a DOCTYPE (the importer refuses one)';
		return null;
	}
	$xml = simplexml_import_dom( $dom );
	if ( 'rss' !== $xml->getName() || ! isset( $xml->channel ) ) {
		$errors[] = 'is not <rss><channel>';
		return null;
	}
	return $xml;
}

/** Everything the importer reads that is missing or unusable, in words. */
function check_wxr( SimpleXMLElement $xml, array &$errors ): array {
	$namespaces = $xml->getDocNamespaces();
	foreach ( WXR_NAMESPACES as $prefix => $pattern ) {
		if ( ! isset( $namespaces[ $prefix ] ) || ! preg_match( $pattern, $namespaces[ $prefix ] ) ) {
			$errors[] = "<rss> does not declare the $prefix namespace as WXR 1.x does";
		}
	}
	if ( $errors ) {
		return $namespaces;
	}
	$xml->registerXPathNamespace( 'wp', $namespaces['wp'] );
	$version = $xml->xpath( '/rss/channel/wp:wxr_version' );
	if ( ! $version || ! preg_match( '/^\d+\.\d+$/', trim( (string) $version[0] ) ) ) {
		$errors[] = 'missing/invalid wp:wxr_version';
	} elseif ( (float) trim( (string) $version[0] ) > NEWEST_WXR ) {
		$errors[] = 'wp:wxr_version ' . trim( (string) $version[0] ) . ' is newer than the importer reads';
	}
	if ( ! $xml->xpath( '/rss/channel/wp:base_site_url' ) ) {
		$errors[] = 'channel has no wp:base_site_url';
	}
	$logins = array();
	foreach ( $xml->xpath( '/rss/channel/wp:author' ) as $author ) {
		$a = $author->children( $namespaces['wp'] );
		if ( '' === trim( (string) $a->author_login ) || ! ctype_digit( trim( (string) $a->author_id ) ) ) {
			$errors[] = 'a wp:author lacks author_login or a numeric author_id';
			continue;
		}
		$logins[] = (string) $a->author_login;
	}
	if ( ! $logins ) {
		$errors[] = 'channel has no wp:author';
	}
	if ( 0 === count( $xml->channel->item ) ) {
		$errors[] = 'channel has no <item>';
	}
	foreach ( $xml->channel->item as $n => $item ) {
		$where = 'item ' . ( (string) $item->title );
		foreach ( array( 'title', 'guid' ) as $name ) {
			if ( ! isset( $item->$name ) ) {
				$errors[] = "$where: no <$name>";
			}
		}
		$dc = $item->children( $namespaces['dc'] );
		if ( ! isset( $dc->creator ) ) {
			$errors[] = "$where: no dc:creator";
		} elseif ( ! in_array( (string) $dc->creator, $logins, true ) ) {
			$errors[] = "$where: dc:creator is not one of the wp:author logins";
		}
		if ( ! isset( $item->children( $namespaces['content'] )->encoded ) ) {
			$errors[] = "$where: no content:encoded";
		}
		if ( ! isset( $item->children( $namespaces['excerpt'] )->encoded ) ) {
			$errors[] = "$where: no excerpt:encoded";
		}
		$wp = $item->children( $namespaces['wp'] );
		foreach ( ITEM_WP as $name ) {
			if ( ! isset( $wp->$name ) ) {
				$errors[] = "$where: no wp:$name";
			}
		}
		foreach ( array( 'post_date', 'post_date_gmt' ) as $name ) {
			if ( isset( $wp->$name ) && ! is_wp_time( (string) $wp->$name ) ) {
				$errors[] = "$where: wp:$name is not YYYY-MM-DD HH:MM:SS";
			}
		}
		$seen = array();
		foreach ( $wp->comment as $comment ) {
			$id    = trim( (string) $comment->comment_id );
			$at = "$where, comment $id";
			foreach ( COMMENT_WP as $name ) {
				if ( ! isset( $comment->$name ) ) {
					$errors[] = "$at: no wp:$name";
				}
			}
			if ( ! ctype_digit( $id ) || '0' === $id || isset( $seen[ $id ] ) ) {
				$errors[] = "$at: wp:comment_id is not a new positive number";
			}
			foreach ( array( 'comment_date', 'comment_date_gmt' ) as $name ) {
				if ( isset( $comment->$name ) && ! is_wp_time( (string) $comment->$name ) ) {
					$errors[] = "$at: wp:$name is not YYYY-MM-DD HH:MM:SS";
				}
			}
			if ( ! in_array( (string) $comment->comment_approved, APPROVED_VALUES, true ) ) {
				$errors[] = "$at: wp:comment_approved is not one of 0, 1, spam, trash";
			}
			$parent = trim( (string) $comment->comment_parent );
			if ( '0' !== $parent && ( ! ctype_digit( $parent ) || (int) $parent >= (int) $id ) ) {
				$errors[] = "$at: wp:comment_parent $parent is not an earlier comment id";
			}
			$seen[ $id ] = $parent;
		}
		foreach ( $seen as $id => $parent ) {
			if ( '0' !== $parent && ! isset( $seen[ $parent ] ) ) {
				$errors[] = "$where: comment $id's parent $parent is not in the item";
			}
		}
	}
	return $namespaces;
}

/** The importer's steps, every wp:author assigned to the admin (user 1). */
function import_wxr( SimpleXMLElement $xml, array $namespaces, array &$errors ): array {
	require_once ABSPATH . 'wp-admin/includes/post.php';
	require_once ABSPATH . 'wp-admin/includes/comment.php';
	wp_set_current_user( 1 );
	$admin     = get_current_user_id();
	$old_users = array();
	$mapping   = array();
	$xml->registerXPathNamespace( 'wp', $namespaces['wp'] );
	foreach ( $xml->xpath( '/rss/channel/wp:author' ) as $author ) {
		$a                               = $author->children( $namespaces['wp'] );
		$old_users[ (int) $a->author_id ] = $admin;
		$mapping[ sanitize_user( (string) $a->author_login, true ) ] = $admin;
	}
	wp_defer_comment_counting( true );
	wp_suspend_cache_invalidation( true );
	$imported = array();
	foreach ( $xml->channel->item as $item ) {
		$wp      = $item->children( $namespaces['wp'] );
		$type    = (string) $wp->post_type;
		$title   = (string) $item->title;
		$date    = (string) $wp->post_date;
		$creator = sanitize_user( (string) $item->children( $namespaces['dc'] )->creator, true );
		if ( ! post_type_exists( $type ) ) {
			$errors[] = "item $title: no post type $type here";
			continue;
		}
		if ( 'auto-draft' === (string) $wp->status ) {
			continue;
		}
		$existing = (int) post_exists( $title, '', $date );
		if ( $existing && get_post_type( $existing ) === $type ) {
			$post_id = $existing;
		} else {
			$existing = 0;
			$post_id  = wp_insert_post(
				wp_slash(
					array(
						'import_id'      => (int) $wp->post_id,
						'post_author'    => $mapping[ $creator ] ?? $admin,
						'post_date'      => $date,
						'post_date_gmt'  => (string) $wp->post_date_gmt,
						'post_content'   => (string) $item->children( $namespaces['content'] )->encoded,
						'post_excerpt'   => (string) $item->children( $namespaces['excerpt'] )->encoded,
						'post_title'     => $title,
						'post_status'    => (string) $wp->status,
						'post_name'      => (string) $wp->post_name,
						'comment_status' => (string) $wp->comment_status,
						'ping_status'    => (string) $wp->ping_status,
						'guid'           => (string) $item->guid,
						'post_parent'    => 0,
						'menu_order'     => (int) $wp->menu_order,
						'post_type'      => $type,
						'post_password'  => (string) $wp->post_password,
					)
				),
				true
			);
			if ( is_wp_error( $post_id ) ) {
				$errors[] = "item $title: " . $post_id->get_error_message();
				continue;
			}
			if ( 1 === (int) $wp->is_sticky ) {
				stick_post( $post_id );
			}
		}
		$comments = array();
		foreach ( $wp->comment as $comment ) {
			$row = array( 'comment_post_ID' => $post_id );
			foreach ( COMMENT_WP as $name ) {
				if ( ! in_array( $name, array( 'comment_id', 'comment_user_id' ), true ) ) {
					$row[ $name ] = (string) $comment->$name;
				}
			}
			$old_user = (int) $comment->comment_user_id;
			if ( isset( $old_users[ $old_user ] ) ) {
				$row['user_id'] = $old_users[ $old_user ];
			}
			$comments[ (int) $comment->comment_id ] = $row;
		}
		ksort( $comments );
		$inserted = array();
		foreach ( $comments as $old_id => $row ) {
			if ( $existing && comment_exists( $row['comment_author'], $row['comment_date'] ) ) {
				continue;
			}
			if ( isset( $inserted[ $row['comment_parent'] ] ) ) {
				$row['comment_parent'] = $inserted[ $row['comment_parent'] ];
			}
			$new_id = wp_insert_comment( wp_filter_comment( wp_slash( $row ) ) );
			if ( ! $new_id ) {
				$errors[] = "item $title: comment $old_id was not inserted";
				continue;
			}
			$inserted[ $old_id ] = $new_id;
		}
		$imported[] = array(
			'old_id'   => (int) $wp->post_id,
			'id'       => (int) $post_id,
			'existed'  => (bool) $existing,
			'comments' => (object) $inserted,
		);
	}
	wp_suspend_cache_invalidation( false );
	wp_defer_comment_counting( false );
	return $imported;
}

$arguments = array_slice( $argv, 1 );
$check     = in_array( '--check', $arguments, true );
$arguments = array_values( array_diff( $arguments, array( '--check' ) ) );
if ( 2 !== count( $arguments ) ) {
	finish( array( 'errors' => array( 'usage: php wxr_replay.php WORDPRESS_DIR FILE.xml [--check]' ) ), 2 );
}
list( $wordpress, $path ) = $arguments;
$errors = array();
$xml    = read_wxr( $path, $errors );
if ( null === $xml ) {
	finish( array( 'errors' => $errors ), 1 );
}
$namespaces = check_wxr( $xml, $errors );
if ( $errors || $check ) {
	finish( array( 'errors' => $errors ), $errors ? 1 : 0 );
}
require rtrim( $wordpress, '/' ) . '/wp-load.php';
$posts = import_wxr( $xml, $namespaces, $errors );
if ( $errors ) {
	finish( array( 'errors' => $errors ), 1 );
}
finish( array( 'posts' => $posts ), 0 );
